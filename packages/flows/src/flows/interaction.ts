// characterInteraction: session context (Redis) and relevant memories (Qdrant), at the same
// time → the response (responder) → one PostgreSQL transaction: the interaction, its
// memory-search timing and its outbox events → the cached response and session (Redis) and the
// interaction's embedding (Qdrant), at the same time → the applied events marked done. The
// effects are tolerant: when their store is down, the outbox applies them later and the result
// says `partial`.
import type { Cache, UserSession } from '@monsteros/cache';
import { interactionRequestHash, NotFoundError, type Relational } from '@monsteros/relational';
import { type CharacterAgent, CharacterNameSchema } from '@monsteros/schema';
import { z } from 'zod';
import { cachedResponse, questionPatternHash } from '../caching/response-cache.js';
import { applyInteractionCache, type InteractionCachePayload, interactionEvents } from '../outbox/events.js';
import { part, pipeline, type StepTiming, type TimingRecorder } from '../pipeline.js';
import type { MemoryToStore, RecalledMemory, VectorsPort } from '../ports.js';
import type { Responder } from '../responder.js';
import { checkInput, rethrowTyped } from './common.js';

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

export function characterInteractionFlow(deps: InteractionDeps) {
  const Input = z.object({
    userId: z.uuid({ message: 'must be a UUID' }),
    character: CharacterNameSchema,
    message: z
      .string({ message: 'must be a string' })
      .refine((m) => m.trim().length > 0, 'must not be empty')
      .refine(
        (m) => m.length <= deps.maxMessageLength,
        `must be at most ${deps.maxMessageLength} characters`,
      ),
    idempotencyKey: z
      .string()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .optional(),
    sessionId: z.string().min(1).max(100, 'must be at most 100 characters').optional(),
  });

  // What the concurrent steps read of the context.
  type Loaded = Pick<z.output<typeof Input>, 'userId' | 'character' | 'message'>;
  type Recorded = {
    replayed: boolean;
    cachePayload: InteractionCachePayload | null;
    memory: MemoryToStore | null;
  };

  const flow = pipeline<z.output<typeof Input>>('characterInteraction')
    .step('load character', 'postgres', async (input) => {
      const [character, user] = await Promise.all([
        deps.characterByName(input.character),
        deps.userExists(input.userId),
      ]);
      if (!character) throw new NotFoundError('character', input.character);
      if (!user) throw new NotFoundError('user', input.userId);
      return { ...input, characterRow: character };
    })
    // Independent reads: the session's round trip overlaps the memory search.
    .concurrently(
      part(
        'session context',
        'redis',
        async (ctx: Loaded) => ({
          session: (await deps.cache.sessions.users.get(ctx.userId)) as UserSession | null,
        }),
        { fallback: () => ({ session: null }) },
      ),
      part(
        'recall memories',
        'qdrant',
        async (ctx: Loaded) => {
          const started = performance.now();
          const memories = await deps.vectors.recall(ctx.character, ctx.message, deps.memoriesPerResponse);
          return { memories, recallMs: (performance.now() - started) as number | null };
        },
        { fallback: () => ({ memories: [] as RecalledMemory[], recallMs: null as number | null }) },
      ),
      part(
        'cached response',
        'redis',
        async (ctx: Loaded) => ({
          hit: deps.responseCache ? await cachedResponse(deps.cache, ctx.character, ctx.message) : undefined,
        }),
        { fallback: () => ({ hit: undefined }) },
      ),
    )
    .step('respond', 'responder', async (ctx) => {
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
    })
    .step('record interaction', 'postgres', async (ctx) => {
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
        if (replayed)
          return {
            ...ctx,
            interaction,
            replayed,
            eventIds: [] as string[],
            cachePayload: null,
            memory: null,
          };
        const createdAt = interaction.created_at.toISOString();
        const cachePayload: InteractionCachePayload = {
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
          createdAt,
        };
        const memory: MemoryToStore = {
          interactionId: interaction.id,
          character: ctx.character,
          userId: ctx.userId,
          text: ctx.message,
          summary: `${ctx.message}\n${ctx.response}`,
          createdAt,
          // Nothing observed yet: quest progress that follows credits it (questProgress).
          learningValue: interaction.learning_value,
        };
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
    })
    // Independent effects of the commit, applied at the same time.
    .concurrently(
      part(
        'cache response and session',
        'redis',
        async (ctx: Recorded) => {
          if (!ctx.replayed && ctx.cachePayload) await applyInteractionCache(deps.cache, ctx.cachePayload);
          return { cached: true };
        },
        { fallback: () => ({ cached: false }) },
      ),
      part(
        'store memory',
        'qdrant',
        async (ctx: Recorded) => {
          if (!ctx.replayed && ctx.memory) await deps.vectors.remember([ctx.memory]);
          return { stored: true };
        },
        { fallback: () => ({ stored: false }) },
      ),
    )
    .step(
      'mark effects applied',
      'postgres',
      async (ctx) => {
        // One statement for both events (and those of flows finishing meanwhile); events not
        // applied stay for the relay.
        const done = [ctx.cached ? ctx.eventIds[0] : undefined, ctx.stored ? ctx.eventIds[1] : undefined];
        const ids = done.filter((id): id is string => id !== undefined);
        await deps.completeEvents(ids);
        return ctx;
      },
      // Not marked: the relay applies them once more (idempotently) after the grace period.
      { fallback: (ctx) => ctx },
    );

  /**
   * Runs one interaction. Bad input is a ValidationError naming the field (nothing touched);
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
