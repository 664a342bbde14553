// The outbox events of the flows and the handlers that apply them. Each event targets one store
// (aggregate_type = the store) so an outage of one store delays only its own effects; the
// aggregate id orders what must stay in order (a user's session updates). Every handler is
// idempotent: replays overwrite (deterministic ids, set-by-value), never add.
import type { Cache } from '@monsteros/cache';
import type { OutboxRow } from '@monsteros/relational';
import type { OutboxEventInput } from '@monsteros/schema';
import { z } from 'zod';
import type { AchievementToStore, MemoryToStore, VectorsPort } from '../ports.js';
import { type OutboxHandler, PermanentError } from './relay.js';

export const EVENT_TYPES = {
  interactionCache: 'interaction.cache',
  interactionEmbed: 'interaction.embed',
  progressCache: 'progress.cache',
  achievementEmbed: 'achievement.embed',
  learningValues: 'learning.values',
} as const;

const LearningValuesPayload = z.object({
  values: z.array(z.object({ interactionId: z.uuid(), learningValue: z.number().min(0).max(1) })).min(1),
});
export type LearningValuesPayload = z.infer<typeof LearningValuesPayload>;

const InteractionCachePayload = z.object({
  interactionId: z.uuid(),
  character: z.string().min(1),
  characterId: z.uuid(),
  userId: z.uuid(),
  sessionId: z.string().nullable(),
  requestHash: z.string().min(1),
  /** The question pattern's hash (caching/response-cache.ts); absent in events written before it. */
  patternHash: z.string().min(1).optional(),
  /** True when the response came from the response cache: it is not written back (its TTL is not slid). */
  fromCache: z.boolean().optional(),
  response: z.string(),
  responseTimeMs: z.number().int().min(0),
  createdAt: z.iso.datetime({ offset: true }),
});
export type InteractionCachePayload = z.infer<typeof InteractionCachePayload>;

const MemoryPayload = z.object({
  interactionId: z.uuid(),
  character: z.string().min(1),
  userId: z.uuid(),
  text: z.string().min(1),
  summary: z.string().optional(),
  createdAt: z.iso.datetime({ offset: true }),
  learningValue: z.number().min(0).max(1),
});

const ProgressCachePayload = z.object({
  userId: z.uuid(),
  questId: z.uuid(),
  completed: z.boolean(),
  progress: z.number(),
});
export type ProgressCachePayload = z.infer<typeof ProgressCachePayload>;

const AchievementPayload = z.object({
  grantId: z.uuid(),
  userId: z.uuid(),
  name: z.string().min(1),
  description: z.string(),
  awardedAt: z.iso.datetime({ offset: true }),
  points: z.number().int(),
});

/** An event's payload checked by `schema`; a bad one is a PermanentError (parked: a retry cannot fix it). */
export function parse<S extends z.ZodType>(schema: S, event: OutboxRow): z.output<S> {
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PermanentError(
      `${event.event_type} ${event.id}: payload.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Outbox rows for an interaction: its cache effects and its memory embedding. */
export function interactionEvents(
  cache: InteractionCachePayload,
  memory: MemoryToStore,
  availableAt: Date,
): OutboxEventInput[] {
  return [
    {
      aggregate_type: 'cache',
      aggregate_id: `user:${cache.userId}`,
      event_type: EVENT_TYPES.interactionCache,
      payload: cache,
      available_at: availableAt,
    },
    {
      aggregate_type: 'vectors',
      aggregate_id: `interaction:${memory.interactionId}`,
      event_type: EVENT_TYPES.interactionEmbed,
      payload: { ...memory },
      available_at: availableAt,
    },
  ];
}

export function progressEvents(
  progress: ProgressCachePayload,
  achievements: AchievementToStore[],
  availableAt: Date,
  learning: LearningValuesPayload['values'] = [],
): OutboxEventInput[] {
  return [
    {
      aggregate_type: 'cache',
      aggregate_id: `user:${progress.userId}`,
      event_type: EVENT_TYPES.progressCache,
      payload: progress,
      available_at: availableAt,
    },
    ...achievements.map((a) => ({
      aggregate_type: 'vectors',
      aggregate_id: `achievement:${a.grantId}`,
      event_type: EVENT_TYPES.achievementEmbed,
      payload: { ...a },
      available_at: availableAt,
    })),
    // The credited memories' learning values (absolute: a replay sets the same values).
    ...(learning.length
      ? [
          {
            aggregate_type: 'vectors',
            aggregate_id: `learning:${progress.userId}`,
            event_type: EVENT_TYPES.learningValues,
            payload: { values: learning },
            available_at: availableAt,
          },
        ]
      : []),
  ];
}

/**
 * Applies an interaction's Redis effects: cached response, user and agent sessions, response-time
 * sample. `late`: the relay applies it after the flow could not, so a later interaction of the user
 * may have written the session already; the session is then left as it is (the other effects do not
 * depend on order).
 */
export async function applyInteractionCache(
  cache: Cache,
  p: InteractionCachePayload,
  options: { late?: boolean } = {},
): Promise<void> {
  const session = {
    activeCharacter: p.character,
    sessionData: {
      last_interaction_id: p.interactionId,
      last_session_id: p.sessionId,
      last_interaction_at: p.createdAt,
    },
  };
  const userSession = async () => {
    if (options.late) {
      const current = await cache.sessions.users.get(p.userId);
      const last = current?.sessionData.last_interaction_at;
      // ISO timestamps of toISOString() order as strings.
      if (typeof last === 'string' && last > p.createdAt) return;
    }
    if (!(await cache.sessions.users.update(p.userId, session)))
      await cache.sessions.users.start(p.userId, session);
  };
  // Independent writes, sent together: one round trip's wait instead of four.
  await Promise.all([
    // A response served from the cache is not written back: the entry keeps its first TTL, so a
    // frequent question is answered by the responder again at least every 300 s.
    p.fromCache || !p.patternHash
      ? undefined
      : cache.policies.character_responses.set(
          { character: p.character, hash: p.patternHash },
          {
            character_id: p.characterId,
            response: p.response,
            response_time_ms: p.responseTimeMs,
            request_hash: p.requestHash,
            created_at: new Date(p.createdAt),
          },
          { tags: [`character:${p.character}`] },
        ),
    userSession(),
    cache.pipelines.cacheCharacterStates([
      { name: p.character, status: 'active', currentContext: `user:${p.userId}` },
    ]),
    // The sample's id is the interaction's: a replay rewrites this sample only, and interactions of
    // one character in one millisecond keep a sample each.
    cache.metrics.record('response_time', p.character, p.responseTimeMs, new Date(p.createdAt), {
      id: p.interactionId,
    }),
  ]);
}

/**
 * The user's session gets the quest's progress (one `updateUserProgress` round trip). The quest's
 * cached definition stays: progress does not change it (it was deleted here before, which emptied
 * the preloaded quest data of every active user at each step).
 */
export async function applyProgressCache(cache: Cache, p: ProgressCachePayload): Promise<void> {
  await cache.pipelines.updateUserProgress([
    { userId: p.userId, questId: p.questId, progress: p.progress, completed: p.completed },
  ]);
}

/** The relay's handlers for every flow event. */
export function flowHandlers(stores: { cache: Cache; vectors: VectorsPort }): Record<string, OutboxHandler> {
  return {
    [EVENT_TYPES.interactionCache]: (event) =>
      applyInteractionCache(stores.cache, parse(InteractionCachePayload, event), { late: true }),
    [EVENT_TYPES.interactionEmbed]: (event) => stores.vectors.remember([parse(MemoryPayload, event)]),
    [EVENT_TYPES.progressCache]: (event) =>
      applyProgressCache(stores.cache, parse(ProgressCachePayload, event)),
    [EVENT_TYPES.learningValues]: (event) =>
      stores.vectors.setLearningValues(parse(LearningValuesPayload, event).values),
    [EVENT_TYPES.achievementEmbed]: (event) =>
      stores.vectors.rememberAchievements([parse(AchievementPayload, event)]),
  };
}
