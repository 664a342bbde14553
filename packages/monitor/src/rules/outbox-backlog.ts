// Outbox events pending beyond the limit.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { relayNote } from './outbox-relay-note.js';
import { check, type Finding } from './rule.js';

export function outboxBacklog({ outbox: o }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (o.status !== 'ok') return [];
  const finding = check(t, {
    rule: 'outbox.backlog',
    store: 'outbox',
    limit: 'max',
    thresholdName: 'outboxBacklogMax',
    measured: o.backlog.pending,
    issue: `${o.backlog.pending} outbox events pending (${relayNote(o)})`,
    action:
      'start more relay workers (claims are SKIP LOCKED, so they share the work) or raise batchSize; check the slowest handler store',
  });
  return finding ? [finding] : [];
}
