// One operation of the chaos plan performed the way a careful client does: retried after a
// failure (same idempotency key, same passage, same completion) until it is acknowledged or its
// deadline passes. Shared by the run's own process and the app processes it kills.
import type { DataLayer } from '../src/index.js';
import type { Op } from './plan.js';

/** What an acknowledged operation returned. */
export interface Ack {
  id: string;
  attempts: number;
  interactionId?: string;
  replayed?: boolean;
  partial?: boolean;
}

export type Outcome = { ack: Ack; errors: string[] } | { failed: string; attempts: number; errors: string[] };

/** Typed errors a retry can outlast; anything else (VALIDATION, CONFLICT, a TypeError) is a defect. */
const RETRIABLE = new Set(['UNAVAILABLE', 'TIMEOUT']);

function errorLabel(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown };
  return typeof e?.code === 'string'
    ? `${String(e.name ?? 'Error')} ${e.code}`
    : `untyped ${String(e?.name)}`;
}

async function call(data: DataLayer, op: Op): Promise<Omit<Ack, 'id' | 'attempts'>> {
  switch (op.kind) {
    case 'interaction': {
      const r = await data.flows.characterInteraction({
        userId: op.userId,
        character: op.character,
        message: op.message,
        idempotencyKey: `chaos-${op.id}`,
      });
      return { interactionId: r.interactionId, replayed: r.replayed, partial: r.partial };
    }
    case 'quest': {
      const r = await data.flows.questProgress({
        userId: op.userId,
        questId: op.questId,
        progress: 100,
        chapter: 1,
      });
      return { partial: r.partial };
    }
    case 'ingest': {
      await data.memory!.ingest({
        character: op.character,
        passages: [{ text: op.text, triples: op.triples }],
      });
      return {};
    }
  }
}

/**
 * Performs `op` until acknowledged, retrying typed UNAVAILABLE / TIMEOUT errors with a bounded
 * backoff; every other error ends it (and is reported: under faults a caller must only see those two).
 */
export async function perform(data: DataLayer, op: Op, deadlineMs: number): Promise<Outcome> {
  const deadline = Date.now() + deadlineMs;
  const errors: string[] = [];
  for (let attempts = 1; ; attempts++) {
    try {
      return { ack: { id: op.id, attempts, ...(await call(data, op)) }, errors };
    } catch (error) {
      const label = errorLabel(error);
      errors.push(label);
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !RETRIABLE.has(code))
        return { failed: `${label}: ${(error as Error).message}`.slice(0, 300), attempts, errors };
      if (Date.now() > deadline) return { failed: `deadline: ${label}`, attempts, errors };
      const delay = Math.min(1_000, 50 * 2 ** Math.min(attempts, 5)) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Runs `ops` on `concurrency` workers, reporting each outcome as it comes. */
export async function runPool(
  ops: readonly Op[],
  concurrency: number,
  work: (op: Op) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ops.length) }, async () => {
      while (next < ops.length) await work(ops[next++]!);
    }),
  );
}
