// Statements whose mean execution time (pg_stat_statements) is over the limit.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding, ms } from './rule.js';

export function postgresSlowStatement({ postgres: pg }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (pg.status !== 'ok' || !pg.slowStatements.available) return [];
  return checkEach(
    t,
    pg.slowStatements.rows.map((s) => ({
      rule: 'postgres.slowStatement',
      store: 'postgres',
      limit: 'max',
      thresholdName: 'postgresSlowStatementMeanMs',
      measured: s.meanMs,
      subject: s.query.replace(/\s+/g, ' ').slice(0, 160),
      issue: `statement averages ${ms(s.meanMs)} over ${s.calls} calls`,
      action:
        'EXPLAIN (ANALYZE, BUFFERS) it; add the index its filter and order need, or make it one of the prepared hot statements',
    })),
  );
}
