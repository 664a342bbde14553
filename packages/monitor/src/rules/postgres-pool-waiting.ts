// Queries of this process waiting for a connection of its pool.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding } from './rule.js';

export function postgresPoolWaiting({ postgres: pg }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (pg.status !== 'ok') return [];
  const finding = check(t, {
    rule: 'postgres.poolWaiting',
    store: 'postgres',
    limit: 'max',
    thresholdName: 'postgresPoolWaitingMax',
    measured: pg.connections.pool.waiting,
    issue: `${pg.connections.pool.waiting} queries are waiting for a pool connection (pool of ${pg.connections.pool.total})`,
    action: 'raise the relational poolSize, or find the long transactions holding connections',
  });
  return finding ? [finding] : [];
}
