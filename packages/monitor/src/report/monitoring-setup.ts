// "Monitoring Setup": what is in place to watch the stores, what is missing, and the thresholds in force.
import { bytes, count, ms } from '../render/format.js';
import { THRESHOLD_NAMES, THRESHOLD_SPECS, type ThresholdName, type Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import type { SetupItem } from './types.js';

export function monitoringSetup(s: MonitorSnapshot): SetupItem[] {
  const items: SetupItem[] = [];
  if (s.postgres.status === 'ok') {
    const st = s.postgres.slowStatements;
    items.push(
      st.available
        ? {
            item: 'pg_stat_statements',
            state: 'ok',
            detail: `slow statements tracked (${st.rows.length} in the top list)`,
          }
        : {
            item: 'pg_stat_statements',
            state: 'missing',
            detail: `${st.reason}: add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart, then CREATE EXTENSION pg_stat_statements`,
          },
    );
  }
  if (s.redis.status === 'ok') {
    items.push(
      s.redis.memory.maxmemoryBytes
        ? {
            item: 'Redis maxmemory',
            state: 'ok',
            detail: `${bytes(s.redis.memory.maxmemoryBytes)}, policy ${s.redis.memory.evictionPolicy}`,
          }
        : {
            item: 'Redis maxmemory',
            state: 'missing',
            detail:
              'no limit: memory usage cannot be judged and Redis grows until the OS kills it; "Tuning" gives maxmemory and the policy computed from the keys held (pnpm services up sets them on a local Redis)',
          },
    );
  }
  items.push(
    s.qdrant.status === 'not-configured'
      ? { item: 'Vector store stats', state: 'missing', detail: s.qdrant.reason }
      : {
          item: 'Vector store stats',
          state: 'ok',
          detail:
            s.qdrant.status === 'ok'
              ? 'collections and search latency read'
              : `configured, but ${s.qdrant.error}`,
        },
  );
  items.push(
    s.flows.status === 'ok'
      ? {
          item: 'Flow step timings',
          state: s.flows.runs > 0 ? 'ok' : 'missing',
          detail:
            s.flows.runs > 0
              ? `${count(s.flows.runs)} ${s.flows.source === 'shared' ? 'runs of every process in the window (real-time metrics)' : 'recent runs of this process'}`
              : 'wired, but no flow has run yet',
        }
      : {
          item: 'Flow step timings',
          state: 'missing',
          detail: s.flows.status === 'not-configured' ? s.flows.reason : s.flows.error,
        },
  );
  if (s.outbox.status === 'ok') {
    items.push(
      s.outbox.relay
        ? {
            item: 'Outbox relay stats',
            state: 'ok',
            detail: `relay ${s.outbox.relay.running ? 'running' : 'stopped'}`,
          }
        : s.shared.status === 'ok' && s.shared.relay.rounds > 0
          ? {
              item: 'Outbox relay stats',
              state: 'ok',
              detail: `${count(s.shared.relay.rounds)} rounds of the app's relays in the last ${s.shared.windowMinutes} min (real-time metrics)`,
            }
          : {
              item: 'Outbox relay stats',
              state: 'missing',
              detail: `${s.outbox.relayAbsent ?? 'no relay'}: the backlog is watched, the relay counters are not`,
            },
    );
  }
  items.push(
    s.shared.status === 'ok'
      ? {
          item: 'Real-time metrics',
          state: 'ok',
          detail: `every process's figures in Redis${s.shared.lastMinute ? `, newest minute ${s.shared.lastMinute.slice(11, 16)} UTC` : ', none in the window yet'}; Prometheus: pnpm db:metrics --serve`,
        }
      : {
          item: 'Real-time metrics',
          state: 'missing',
          detail: s.shared.status === 'not-configured' ? s.shared.reason : s.shared.error,
        },
  );
  if (s.duckdb.status === 'ok') {
    items.push(
      s.duckdb.ingestion.length
        ? {
            item: 'Analytics ingestion',
            state: 'ok',
            detail: s.duckdb.ingestion.map((w) => `${w.source} ${ms(w.ageMs)} ago`).join(', '),
          }
        : {
            item: 'Analytics ingestion',
            state: 'missing',
            detail: 'no source ingested yet: the interaction trends are empty',
          },
    );
  }
  return items;
}

/** The thresholds in force with their meanings, for "Monitoring Setup". */
export function thresholdTable(
  t: Thresholds,
): Array<{ name: ThresholdName; value: number; unit: string; meaning: string }> {
  return THRESHOLD_NAMES.map((name) => ({
    name,
    value: t[name],
    unit: THRESHOLD_SPECS[name].unit,
    meaning: THRESHOLD_SPECS[name].meaning,
  }));
}
