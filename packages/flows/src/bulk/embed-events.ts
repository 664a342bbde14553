// The outbox events of the bulk imports: one event per batch of imported rows, whose handler
// reads the rows back from PostgreSQL (the source of truth; the event carries only ids) and
// writes their embeddings. Point ids derive from the row ids, so a replay overwrites.
import type { Relational } from '@monsteros/relational';
import type { OutboxEventInput } from '@monsteros/schema';
import { z } from 'zod';
import { parse } from '../outbox/events.js';
import type { OutboxHandler } from '../outbox/relay.js';
import type { VectorsPort } from '../ports.js';

export const BULK_EVENT_TYPES = {
  interactionsEmbed: 'interactions.embed',
  achievementGrantsEmbed: 'achievement-grants.embed',
} as const;
export type BulkEventType = (typeof BULK_EVENT_TYPES)[keyof typeof BULK_EVENT_TYPES];

/**
 * Rows per embed event: the relay applies a claimed round (100 events) in parallel, and a round
 * must end inside its 30 s lease. 100 × 500 embeddings take about 5–10 s with the local embedder
 * on 2 cores (the seed embeds 40,000 in 4–7 s).
 */
const EMBED_BATCH = 500;

const InteractionIds = z.object({ interactionIds: z.array(z.uuid()).min(1).max(EMBED_BATCH) });
const GrantIds = z.object({ grantIds: z.array(z.uuid()).min(1).max(EMBED_BATCH) });

/** One embed event per EMBED_BATCH ids, keyed by its first id (batches apply in parallel). */
export function embedEvents(
  type: BulkEventType,
  field: 'interactionIds' | 'grantIds',
  ids: readonly string[],
): OutboxEventInput[] {
  const events: OutboxEventInput[] = [];
  for (let i = 0; i < ids.length; i += EMBED_BATCH) {
    const batch = ids.slice(i, i + EMBED_BATCH);
    events.push({
      aggregate_type: 'vectors',
      aggregate_id: `${type}:${batch[0]}`,
      event_type: type,
      payload: { [field]: batch },
    });
  }
  return events;
}

/** The relay's handlers for the bulk imports' embed events. */
export function bulkOutboxHandlers(stores: {
  relational: Relational;
  vectors: VectorsPort;
}): Record<string, OutboxHandler> {
  const db = stores.relational.kysely;
  return {
    async [BULK_EVENT_TYPES.interactionsEmbed](event) {
      const ids = parse(InteractionIds, event).interactionIds;
      // Rows deleted since the import have nothing left to embed.
      const rows = await db
        .selectFrom('character_interactions as i')
        .innerJoin('character_agents as c', 'c.id', 'i.character_id')
        .select([
          'i.id',
          'c.name',
          'i.user_id',
          'i.message',
          'i.response',
          'i.learning_value',
          'i.created_at',
        ])
        .where('i.id', 'in', ids)
        .execute();
      await stores.vectors.remember(
        rows.map((r) => ({
          interactionId: r.id,
          character: r.name,
          userId: r.user_id,
          text: r.message,
          summary: `${r.message}\n${r.response}`,
          createdAt: r.created_at.toISOString(),
          // The row's learning value (credited by quest progress that followed it).
          learningValue: r.learning_value,
        })),
      );
    },
    async [BULK_EVENT_TYPES.achievementGrantsEmbed](event) {
      const ids = parse(GrantIds, event).grantIds;
      const rows = await db
        .selectFrom('user_achievements as g')
        .innerJoin('achievements as a', 'a.id', 'g.achievement_id')
        .select(['g.id', 'g.user_id', 'g.awarded_at', 'a.name', 'a.description', 'a.points'])
        .where('g.id', 'in', ids)
        .execute();
      await stores.vectors.rememberAchievements(
        rows.map((r) => ({
          grantId: r.id,
          userId: r.user_id,
          name: r.name,
          description: r.description,
          awardedAt: r.awarded_at.toISOString(),
          points: r.points,
        })),
      );
    },
  };
}
