// The zod schemas of the JSONB documents (src/documents.ts): pure code. Prisma Client and Kysely on
// one pool against a real database are in ../clients.test.ts.
import { describe, expect, it } from 'vitest';
import { CurrentStateSchema, OutboxEventInputSchema, PerformanceMetricsSchema } from '../../src/documents.js';

describe('JSONB document schemas', () => {
  it('accepts a valid current_state and names the field of an invalid one', () => {
    expect(CurrentStateSchema.parse({ status: 'active', mood: 'curious' }).status).toBe('active');
    const bad = CurrentStateSchema.safeParse({ status: 'sleeping' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['status']);
  });

  it('rejects non-finite metrics and outbox events without an aggregate', () => {
    expect(PerformanceMetricsSchema.safeParse({ latency: Number.NaN }).success).toBe(false);
    expect(PerformanceMetricsSchema.safeParse({ latency: 12.5 }).success).toBe(true);
    const event = OutboxEventInputSchema.safeParse({
      aggregate_type: '',
      aggregate_id: 'x',
      event_type: 'e',
      payload: {},
    });
    expect(event.error?.issues[0]?.path).toEqual(['aggregate_type']);
  });
});
