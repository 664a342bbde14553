// The interaction log through the bulk import: rows and the events embedding them together.
import type { DataLayer } from '@monsteros/flows';
import type { SeedDataset } from '../generate/dataset.js';
import type { SeedInteraction } from '../generate/interactions.js';
import type { SeedRunOptions } from '../seed.js';
import { BATCH } from './chunks.js';

export async function seedInteractions(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  const phase = options.progress.phase('interactions', set.interactionCount);
  let batch: SeedInteraction[] = [];
  let inserted = 0;
  const flush = async () => {
    if (!batch.length) return;
    // Rows and the events embedding them (each interaction is a memory of its character, the
    // same point on every run) in one transaction; only new rows get events.
    const result = await data.bulk.interactions(
      batch.map((i) => ({
        id: i.id,
        character: i.character_name,
        userId: i.user_id,
        sessionId: i.session_id,
        message: i.message,
        response: i.response,
        responseTimeMs: i.response_time_ms,
        satisfaction: i.user_satisfaction,
        success: i.success,
        idempotencyKey: i.idempotency_key,
        createdAt: i.created_at,
      })),
    );
    inserted += result.inserted;
    phase.tick(batch.length);
    batch = [];
  };
  for (const interaction of set.interactions()) {
    batch.push(interaction);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  phase.done(`${inserted} new, their embeddings queued in the outbox`);
}
