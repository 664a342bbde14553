// Outbox events parked after failing repeatedly.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding } from './rule.js';

export function outboxParked({ outbox: o }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (o.status !== 'ok') return [];
  const finding = check(t, {
    rule: 'outbox.parked',
    store: 'outbox',
    limit: 'max',
    thresholdName: 'outboxParkedMax',
    measured: o.backlog.parked,
    issue: `${o.backlog.parked} outbox ${o.backlog.parked === 1 ? 'event is' : 'events are'} parked after failing repeatedly`,
    action:
      'read their last_error in the outbox table, fix the handler or the payload, then relay.retryParked()',
  });
  return finding ? [finding] : [];
}
