// The server's connections near max_connections.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding, pct } from './rule.js';

export function postgresConnections({ postgres: pg }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (pg.status !== 'ok') return [];
  const finding = check(t, {
    rule: 'postgres.connections',
    store: 'postgres',
    limit: 'max',
    thresholdName: 'postgresConnectionUsageMax',
    measured: pg.connections.usage,
    issue: `${pg.connections.serverTotal} of ${pg.connections.max} server connections in use (${pct(pg.connections.usage)})`,
    action:
      'put PgBouncer (transaction pooling) in front, lower each process poolSize, or raise max_connections with the memory it needs',
  });
  return finding ? [finding] : [];
}
