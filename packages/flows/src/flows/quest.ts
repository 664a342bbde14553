// questProgress: progress in PostgreSQL (never backwards; completion sets completed_at and grants
// the achievements earned, once) with its outbox events → the user's session in Redis → the
// completion into the learning analytics (DuckDB) → the achievements' embeddings (Qdrant).
import type { Analytics } from '@monsteros/analytics';
import type { Cache } from '@monsteros/cache';
import type { QuestProgress, Relational } from '@monsteros/relational';
import { type CompletionData, CompletionDataSchema } from '@monsteros/schema';
import { z } from 'zod';
import { checkInput, rethrowTyped } from '../boundary.js';
import { applyProgressCache, type ProgressCachePayload, progressEvents } from '../outbox/events.js';
import { pipeline, type StepTiming, type TimingRecorder } from '../pipeline.js';
import type { AchievementToStore, VectorsPort } from '../ports.js';

export interface QuestProgressInput {
  userId: string;
  questId: string;
  /** 0 to 100. */
  progress: number;
  chapter: number;
  completionData?: CompletionData;
}

export interface QuestProgressResult {
  progress: QuestProgress;
  /** True when this call completed the quest. */
  completedNow: boolean;
  /** Achievements granted by this call (each is granted once). */
  achievements: AchievementToStore[];
  /** The interactions this step was credited to, with their learning values now (see the README's rule). */
  learning: Array<{ interactionId: string; learningValue: number }>;
  timings: StepTiming[];
  partial: boolean;
}

export interface QuestDeps {
  relational: Relational;
  cache: Cache;
  vectors: VectorsPort;
  analytics: Analytics | null;
  recorder: TimingRecorder;
  sideEffectGraceMs: number;
  kick(): void;
  /** Marks outbox events applied (statements shared with concurrent flows: `coalescedCompletion`). */
  completeEvents(ids: string[]): Promise<void>;
}

const Input = z.object({
  userId: z.uuid({ message: 'must be a UUID' }),
  questId: z.uuid({ message: 'must be a UUID' }),
  progress: z
    .number({ message: 'must be a number' })
    .refine(Number.isFinite, 'must be a finite number')
    .refine((n) => n >= 0 && n <= 100, 'must be between 0 and 100'),
  chapter: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1'),
  completionData: CompletionDataSchema.optional(),
});

type ValidInput = z.output<typeof Input>;
type ProgressUpdate = Awaited<ReturnType<Relational['progress']['upsert']>>;
type Recorded = ValidInput & {
  update: ProgressUpdate;
  achievements: AchievementToStore[];
  learning: Array<{ interactionId: string; learningValue: number }>;
  payload: ProgressCachePayload;
  eventIds: string[];
};
type Cached = Recorded & { cached: boolean };
type Stored = Cached & { stored: boolean };

/**
 * One transaction: the progress (never backwards), the achievements it earns (once), the
 * learning value of the interactions that led to it, and the outbox events of its effects.
 */
const updateProgress =
  (deps: QuestDeps) =>
  async (input: ValidInput): Promise<Recorded> => {
    // Read before the transaction: a transaction must not wait for a second pool connection.
    const catalog = new Map((await deps.relational.achievements.list()).map((a) => [a.id, a]));
    return deps.relational.transaction(async (tx) => {
      // The step this call makes (new − previous, exact under racing updates of the user's
      // quest), credited to the interactions that led to it (the learning value rule).
      const previous = await tx.progress.lockPrevious(input.userId, input.questId);
      const update = await tx.progress.upsert({
        userId: input.userId,
        questId: input.questId,
        progress: input.progress,
        chapter: input.chapter,
        completionData: input.completionData,
      });
      const grants = update.completedNow
        ? await tx.achievements.grantEarned(input.userId, { quest_id: input.questId })
        : [];
      const achievements: AchievementToStore[] = grants.map((g) => {
        const a = catalog.get(g.achievement_id)!;
        return {
          grantId: g.id,
          userId: input.userId,
          name: a.name,
          description: a.description,
          awardedAt: g.awarded_at.toISOString(),
          points: a.points,
        };
      });
      const points = Math.max(0, update.progress.progress_percentage - previous);
      const credited = points > 0 ? await tx.interactions.creditLearning({ ...input, points }) : [];
      const learning = credited.map((c) => ({ interactionId: c.id, learningValue: c.learningValue }));
      const payload: ProgressCachePayload = {
        userId: input.userId,
        questId: input.questId,
        completed: update.progress.completed_at !== null,
        progress: update.progress.progress_percentage,
      };
      const eventIds = await tx.outbox.append(
        progressEvents(payload, achievements, new Date(Date.now() + deps.sideEffectGraceMs), learning),
      );
      return { ...input, update, achievements, learning, payload, eventIds };
    });
  };

/** The user's session in Redis follows the progress; its event is then marked applied. */
const updateSession =
  (deps: QuestDeps) =>
  async (ctx: Recorded): Promise<Cached> => {
    await applyProgressCache(deps.cache, ctx.payload);
    await deps.completeEvents([ctx.eventIds[0]!]);
    return { ...ctx, cached: true };
  };

/** A completion goes into the learning analytics at once (the next sync would take it anyway). */
const ingestCompletion =
  (deps: QuestDeps) =>
  async (ctx: Cached): Promise<Cached> => {
    if (ctx.update.completedNow && deps.analytics) {
      await deps.analytics.ingest.postgres(
        { copyTo: (statement) => deps.relational.copyOut(statement) },
        { tables: ['quest_completions'] },
      );
    }
    return ctx;
  };

/** The achievements' embeddings and the interactions' new learning values in Qdrant. */
const storeAchievementsAndLearning =
  (deps: QuestDeps) =>
  async (ctx: Cached): Promise<Stored> => {
    if (ctx.achievements.length) await deps.vectors.rememberAchievements(ctx.achievements);
    if (ctx.learning.length) await deps.vectors.setLearningValues(ctx.learning);
    await deps.completeEvents(ctx.eventIds.slice(1));
    return { ...ctx, stored: true };
  };

export function questProgressFlow(deps: QuestDeps) {
  const flow = pipeline<ValidInput>('questProgress')
    .step('update progress', 'postgres', updateProgress(deps))
    .step('session state', 'redis', updateSession(deps), { fallback: (ctx) => ({ ...ctx, cached: false }) })
    // The next analytics sync ingests it: nothing is lost by skipping.
    .step('completion into learning analytics', 'duckdb', ingestCompletion(deps), { fallback: (ctx) => ctx })
    .step('achievement embeddings and learning values', 'qdrant', storeAchievementsAndLearning(deps), {
      fallback: (ctx) => ({ ...ctx, stored: false }),
    });

  /**
   * Records progress. Progress below the stored one keeps the stored one; reaching 100
   * completes the quest once and grants the achievements it earns once.
   * @example
   * const { completedNow, achievements } = await data.flows.questProgress({ userId, questId, progress: 100, chapter: 5 });
   */
  return async function questProgress(input: QuestProgressInput): Promise<QuestProgressResult> {
    const valid = checkInput(Input, input, 'progress');
    try {
      const { output, timings, partial } = await flow.run(valid, deps.recorder);
      if (!output.cached || !output.stored) deps.kick();
      return {
        progress: output.update.progress,
        completedNow: output.update.completedNow,
        achievements: output.achievements,
        learning: output.learning,
        timings,
        partial,
      };
    } catch (error) {
      rethrowTyped(error);
    }
  };
}
