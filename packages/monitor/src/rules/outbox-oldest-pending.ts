// The oldest pending outbox event older than the limit (the relay is stuck or absent).
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { relayNote } from './outbox-relay-note.js';
import { check, type Finding, ms } from './rule.js';

export function outboxOldestPending({ outbox: o }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (o.status !== 'ok') return [];
  const finding = check(t, {
    rule: 'outbox.oldestPending',
    store: 'outbox',
    limit: 'max',
    thresholdName: 'outboxOldestPendingMs',
    measured: o.backlog.oldestPendingMs,
    issue: `the oldest pending outbox event is ${ms(o.backlog.oldestPendingMs)} old (${relayNote(o)})`,
    action: o.relay?.lastError
      ? `the relay loop fails (${o.relay.lastError}): restore its PostgreSQL access`
      : 'make sure a relay runs (relay.start()) and that the stores its handlers write to are up',
  });
  return finding ? [finding] : [];
}
