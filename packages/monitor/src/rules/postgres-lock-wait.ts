// Sessions waiting for a lock longer than the limit.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding, ms } from './rule.js';

export function postgresLockWait({ postgres: pg }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (pg.status !== 'ok') return [];
  return checkEach(
    t,
    pg.lockWaits.map((w) => ({
      rule: 'postgres.lockWait',
      store: 'postgres',
      limit: 'max',
      thresholdName: 'postgresLockWaitMs',
      measured: w.waitingForMs,
      // A row lock is a wait on the holder's transaction (no relation): the query says which.
      subject: `pid ${w.pid} ${w.mode}${w.relation ? ` on ${w.relation}` : ''}: ${w.query.replace(/\s+/g, ' ').slice(0, 120)}`,
      issue: `a session has waited ${ms(w.waitingForMs)} for a lock`,
      action:
        'find the blocker (pg_blocking_pids) and shorten its transaction; take row locks in one order; keep outbox claims on SKIP LOCKED',
    })),
  );
}
