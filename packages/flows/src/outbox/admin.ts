// What `pnpm db:outbox` shows: the backlog and the parked events with their last errors.
import type { OutboxBacklog, Relational } from '@monsteros/relational';
import { FlowValidationError } from '../errors.js';

/** A parked event: it kept failing, and waits for `relay.retryParked` (or `pnpm db:outbox --retry-parked`). */
export interface ParkedEvent {
  id: string;
  eventType: string;
  aggregate: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  parkedAt: Date;
}

export interface OutboxStatus {
  backlog: OutboxBacklog;
  /** The oldest parked events, at most `limit`. */
  parked: ParkedEvent[];
}

/**
 * The outbox's backlog and its oldest parked events.
 * @example
 * const { backlog, parked } = await outboxStatus(data.relational, 20);
 */
export async function outboxStatus(relational: Relational, limit = 20): Promise<OutboxStatus> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new FlowValidationError('limit', 'must be a whole number from 1 to 10,000');
  const [backlog, rows] = await Promise.all([
    relational.outbox.backlog(),
    relational.kysely
      .selectFrom('outbox')
      .select([
        'id',
        'event_type',
        'aggregate_type',
        'aggregate_id',
        'attempts',
        'last_error',
        'created_at',
        'parked_at',
      ])
      .where('parked_at', 'is not', null)
      .where('processed_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute(),
  ]);
  return {
    backlog,
    parked: rows.map((r) => ({
      id: String(r.id),
      eventType: r.event_type,
      aggregate: `${r.aggregate_type}:${r.aggregate_id}`,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at,
      parkedAt: r.parked_at!,
    })),
  };
}

/** The status as text for a terminal. */
export function formatOutboxStatus({ backlog, parked }: OutboxStatus): string {
  const lines = [
    `pending ${backlog.pending}, parked ${backlog.parked}, oldest pending ${Math.round(backlog.oldestPendingMs / 1000)} s`,
  ];
  if (parked.length > 0) {
    lines.push('', 'parked events (oldest first):');
    for (const e of parked) {
      lines.push(
        `  #${e.id} ${e.eventType} ${e.aggregate}, ${e.attempts} attempts, parked ${e.parkedAt.toISOString()}: ${e.lastError ?? '(no error recorded)'}`,
      );
    }
    if (backlog.parked > parked.length) lines.push(`  … and ${backlog.parked - parked.length} more`);
    lines.push('', 'retry them with: pnpm db:outbox --retry-parked [--id N …]');
  }
  return lines.join('\n');
}
