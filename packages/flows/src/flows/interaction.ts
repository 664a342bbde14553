// characterInteraction: session context (Redis) and relevant memories (Qdrant), at the same
// time → the response (responder) → one PostgreSQL transaction: the interaction, its
// memory-search timing and its outbox events → the cached response and session (Redis) and the
// interaction's embedding (Qdrant), at the same time → the applied events marked done. The
// effects are tolerant: when their store is down, the outbox applies them later and the result
// says `partial`.
import type { Cache, CachedCharacterResponse, UserSession } from '@monsteros/cache';
import { interactionRequestHash, NotFoundError, type Relational } from '@monsteros/relational';
import { type CharacterAgent, CharacterNameSchema } from '@monsteros/schema';
import { z } from 'zod';
import { checkInput, rethrowTyped } from '../boundary.js';
import { cachedResponse, questionPatternHash } from '../caching/response-cache.js';
import { applyInteractionCache, type InteractionCachePayload, interactionEvents } from '../outbox/events.js';
import { part, pipeline, type StepTiming, type TimingRecorder } from '../pipeline.js';
import type { MemoryToStore, RecalledMemory, VectorsPort } from '../ports.js';
import type { Responder } from '../responder.js';

export interface InteractionInput {
  userId: string;
  /** The character's name. */
  character: string;
  message: string;
  /** Makes a retried request record once and return the first result. */
  idempotencyKey?: string;
  sessionId?: string;
}

export interface InteractionResult {
  interactionId: string;
  response: string;
  memories: RecalledMemory[];
  timings: StepTiming[];
  /** True when a store was down: memories, cache or embedding were skipped (the outbox catches up). */
  partial: boolean;
  /** True when the idempotency key had recorded this request before: nothing was written now. */
  replayed: boolean;
  /**
   * True when the response came from the character's response cache (the same question pattern
   * answered within the cache's TTL): the responder did not run.
   */
  cached: boolean;
}

export interface InteractionDeps {
  relational: Relational;
  cache: Cache;
  vectors: VectorsPort;
  responder: Responder;
  recorder: TimingRecorder;
  characterByName(name: string): Promise<CharacterAgent | null>;
  /** Whether the user exists (cached briefly): checked before any store is read or filled. */
  userExists(userId: string): Promise<boolean>;
  maxMessageLength: number;
  memoriesPerResponse: number;
  /** Read `character_responses` before the responder (default on; off for a personalizing responder). */
  responseCache: boolean;
  sideEffectGraceMs: number;
  /** Called after each commit so the relay applies what the flow could not. */
  kick(): void;
  /** Marks outbox events applied (statements shared with concurrent flows: `coalescedCompletion`). */
  completeEvents(ids: string[]): Promise<void>;
}

/** The input schema, built once per data layer (the message limit is its configuration). */
function inputSchema(maxMessageLength: number) {
  return z.object({
    userId: z.uuid({ message: 'must be a UUID' }),
    character: CharacterNameSchema,
    message: z
      .string({ message: 'must be a string' })
      .refine((m) => m.trim().length > 0, 'must not be empty')
      .refine((m) => m.length <= maxMessageLength, `must be at most ${maxMessageLength} characters`),
    idempotencyKey: IdempotencyKeySchema,
    sessionId: SessionIdSchema,
  });
}

const IdempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .optional();
const SessionIdSchema = z.string().min(1).max(100, 'must be at most 100 characters').optional();

// What each step adds to the context the next one reads.
type ValidInput = z.output<ReturnType<typeof inputSchema>>;
type Loaded = ValidInput & { characterRow: CharacterAgent };
type Recalled = Loaded & {
  session: UserSession | null;
  memories: RecalledMemory[];
  recallMs: number | null;
  hit: CachedCharacterResponse | undefined;
};
type Responded = Recalled & { response: string; fromCache: boolean; responseTimeMs: number };
type RecordedInteraction = Awaited<ReturnType<Relational['interactions']['record']>>['interaction'];
type Recorded = Responded & {
  interaction: RecordedInteraction;
  replayed: boolean;
  eventIds: string[];
  cachePayload: InteractionCachePayload | null;
  memory: MemoryToStore | null;
};
type Applied = Recorded & { cached: boolean; stored: boolean };

/** The character and the user must exist before any store is read or filled. */
const loadCharacter =
  (deps: InteractionDeps) =>
  async (input: ValidInput): Promise<Loaded> => {
    const [character, user] = await Promise.all([
      deps.characterByName(input.character),
      deps.userExists(input.userId),
    ]);
    if (!character) throw new NotFoundError('character', input.character);
    if (!user) throw new NotFoundError('user', input.userId);
    return { ...input, characterRow: character };
  };

const readSession = (deps: InteractionDeps) => async (ctx: Loaded) => ({
  session: (await deps.cache.sessions.users.get(ctx.userId)) as UserSession | null,
});

const recallMemories = (deps: InteractionDeps) => async (ctx: Loaded) => {
  const started = performance.now();
  const memories = await deps.vectors.recall(ctx.character, ctx.message, deps.memoriesPerResponse);
  return { memories, recallMs: (performance.now() - started) as number | null };
};

const readCachedResponse = (deps: InteractionDeps) => async (ctx: Loaded) => ({
  hit: deps.responseCache ? await cachedResponse(deps.cache, ctx.character, ctx.message) : undefined,
});

/** The character's answer: from its response cache when the same question pattern was answered, else the responder's. */
const respond =
  (deps: InteractionDeps) =>
  async (ctx: Recalled): Promise<Responded> => {
    const started = performance.now();
    const fromCache = ctx.hit !== undefined && ctx.hit.character_id === ctx.characterRow.id;
    const response = fromCache
      ? ctx.hit!.response
      : await deps.responder.respond({
          character: ctx.characterRow,
          message: ctx.message,
          memories: ctx.memories,
          session: ctx.session,
        });
    const responseTimeMs = Math.max(0, Math.round(performance.now() - started));
    return { ...ctx, response, fromCache, responseTimeMs };
  };

/** What the Redis effect of the interaction writes (the cached response and the session's turn). */
function toCachePayload(ctx: Responded, interaction: RecordedInteraction): InteractionCachePayload {
  return {
    interactionId: interaction.id,
    character: ctx.character,
    characterId: ctx.characterRow.id,
    userId: ctx.userId,
    sessionId: ctx.sessionId ?? null,
    patternHash: questionPatternHash(ctx.message),
    fromCache: ctx.fromCache,
    requestHash:
      interaction.request_hash ??
      interactionRequestHash({
        character: ctx.character,
        userId: ctx.userId,
        message: ctx.message,
        sessionId: ctx.sessionId,
      }),
    response: ctx.response,
    responseTimeMs: ctx.responseTimeMs,
    createdAt: interaction.created_at.toISOString(),
  };
}

/** The interaction as a memory of its character (the Qdrant effect). */
function toMemory(ctx: Responded, interaction: RecordedInteraction): MemoryToStore {
  return {
    interactionId: interaction.id,
    character: ctx.character,
    userId: ctx.userId,
    text: ctx.message,
    summary: `${ctx.message}\n${ctx.response}`,
    createdAt: interaction.created_at.toISOString(),
    // Nothing observed yet: quest progress that follows credits it (questProgress).
    learningValue: interaction.learning_value,
  };
}

/** One transaction: the interaction, its outbox events and the memory search's timing (a replay writes nothing). */
const recordInteraction =
  (deps: InteractionDeps) =>
  async (ctx: Responded): Promise<Recorded> => {
    const availableAt = new Date(Date.now() + deps.sideEffectGraceMs);
    return deps.relational.transaction(async (tx) => {
      const { interaction, replayed } = await tx.interactions.record({
        character: ctx.character,
        userId: ctx.userId,
        sessionId: ctx.sessionId ?? null,
        message: ctx.message,
        response: ctx.response,
        responseTimeMs: ctx.responseTimeMs,
        success: true,
        idempotencyKey: ctx.idempotencyKey,
      });
      if (replayed) return { ...ctx, interaction, replayed, eventIds: [], cachePayload: null, memory: null };
      const cachePayload = toCachePayload(ctx, interaction);
      const memory = toMemory(ctx, interaction);
      const eventIds = await tx.outbox.append(interactionEvents(cachePayload, memory, availableAt));
      if (ctx.recallMs !== null) {
        await tx.operations.record({
          operationType: 'character_context_search',
          character: ctx.character,
          latencyMs: ctx.recallMs,
          quality: ctx.memories.length ? Math.max(0, Math.min(1, ctx.memories[0]!.score)) : null,
          metadata: { interaction_id: interaction.id, results: ctx.memories.length },
        });
      }
      return { ...ctx, interaction, replayed, eventIds, cachePayload, memory };
    });
  };

const cacheResponseAndSession = (deps: InteractionDeps) => async (ctx: Recorded) => {
  if (!ctx.replayed && ctx.cachePayload) await applyInteractionCache(deps.cache, ctx.cachePayload);
  return { cached: true };
};

const storeMemory = (deps: InteractionDeps) => async (ctx: Recorded) => {
  if (!ctx.replayed && ctx.memory) await deps.vectors.remember([ctx.memory]);
  return { stored: true };
};

/**
 * One statement marks both events applied (with those of flows finishing meanwhile); events not
 * applied stay for the relay.
 */
const markEffectsApplied =
  (deps: InteractionDeps) =>
  async (ctx: Applied): Promise<Applied> => {
    const done = [ctx.cached ? ctx.eventIds[0] : undefined, ctx.stored ? ctx.eventIds[1] : undefined];
    await deps.completeEvents(done.filter((id): id is string => id !== undefined));
    return ctx;
  };

export function characterInteractionFlow(deps: InteractionDeps) {
  const Input = inputSchema(deps.maxMessageLength);
  const flow = pipeline<ValidInput>('characterInteraction')
    .step('load character', 'postgres', loadCharacter(deps))
    // Independent reads: the session's round trip overlaps the memory search.
    .concurrently(
      part('session context', 'redis', readSession(deps), { fallback: () => ({ session: null }) }),
      part('recall memories', 'qdrant', recallMemories(deps), {
        fallback: () => ({ memories: [] as RecalledMemory[], recallMs: null as number | null }),
      }),
      part('cached response', 'redis', readCachedResponse(deps), { fallback: () => ({ hit: undefined }) }),
    )
    .step('respond', 'responder', respond(deps))
    .step('record interaction', 'postgres', recordInteraction(deps))
    // Independent effects of the commit, applied at the same time.
    .concurrently(
      part('cache response and session', 'redis', cacheResponseAndSession(deps), {
        fallback: () => ({ cached: false }),
      }),
      part('store memory', 'qdrant', storeMemory(deps), { fallback: () => ({ stored: false }) }),
    )
    // Not marked: the relay applies them once more (idempotently) after the grace period.
    .step('mark effects applied', 'postgres', markEffectsApplied(deps), { fallback: (ctx) => ctx });

  /**
   * Runs one interaction. Bad input is a FlowValidationError naming the field (nothing touched);
   * an unknown character or user a NotFoundError; a reused idempotency key with another
   * message a ConflictError; PostgreSQL down an UnavailableError (nothing written anywhere).
   * @example
   * const { response, memories } = await data.flows.characterInteraction({ userId, character: 'sage', message: 'What is recursion?' });
   */
  return async function characterInteraction(input: InteractionInput): Promise<InteractionResult> {
    const valid = checkInput(Input, input, 'interaction');
    try {
      const { output, timings, partial } = await flow.run(valid, deps.recorder);
      if (!output.replayed && (!output.cached || !output.stored)) deps.kick();
      return {
        interactionId: output.interaction.id,
        response: output.replayed ? output.interaction.response : output.response,
        memories: output.memories,
        timings,
        partial,
        replayed: output.replayed,
        cached: !output.replayed && output.fromCache,
      };
    } catch (error) {
      rethrowTyped(error);
    }
  };
}
