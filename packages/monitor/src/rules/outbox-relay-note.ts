import type { OutboxReading } from '../types.js';

/** Whether a relay runs, for the outbox rules' issue text. */
export function relayNote(o: OutboxReading): string {
  return o.relay
    ? o.relay.running
      ? 'the relay runs'
      : 'the relay is stopped'
    : (o.relayAbsent ?? 'no relay');
}
