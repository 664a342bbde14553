// sessionStart: the user's active quests (PostgreSQL, at most `preloadQuests`) → the session with
// their progress (Redis, updateUserProgress) → those quests' definitions preloaded into
// `quest_data` (Redis), so the session's quest reads hit. Bounded work per session: one query
// for the active quests, one for their definitions, one round trip per Redis step.
// sessionEnd: the live session (Redis) → its summary backed up (PostgreSQL, once per session) →
// the session ended (Redis). Redis holds what is real-time; PostgreSQL keeps its record.
import type { Cache, UserSession } from '@monsteros/cache';
import { NotFoundError, type Relational } from '@monsteros/relational';
import type { SessionSummary } from '@monsteros/schema';
import { z } from 'zod';
import { pipeline, type StepTiming, type TimingRecorder } from '../pipeline.js';
import { checkInput, rethrowTyped } from './common.js';

export interface SessionStartInput {
  userId: string;
  /** The character the user starts with. */
  character?: string;
  sessionId?: string;
}

export interface SessionStartResult {
  session: UserSession | null;
  /** Quest definitions preloaded into `quest_data` (at most `preloadQuests`). */
  preloaded: number;
  timings: StepTiming[];
  /** True when Redis was down: no session and nothing preloaded. */
  partial: boolean;
}

export interface SessionEndInput {
  userId: string;
  /** The session's id, kept in the summary (default: its last activity in ms). */
  sessionId?: string;
}

export interface SessionEndResult {
  /** False when the user had no live session (expired or never started): nothing written. */
  ended: boolean;
  summary: SessionSummary | null;
  timings: StepTiming[];
}

export interface SessionDeps {
  relational: Relational;
  cache: Cache;
  recorder: TimingRecorder;
  /** Most quests preloaded per session start, 0 to 100. */
  preloadQuests: number;
}

const StartInput = z.object({
  userId: z.uuid({ message: 'must be a UUID' }),
  character: z.string().min(1, 'must not be empty').max(50, 'must be at most 50 characters').optional(),
  sessionId: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
});
const EndInput = StartInput.omit({ character: true });

export function sessionFlows(deps: SessionDeps) {
  const start = pipeline<z.output<typeof StartInput>>('sessionStart')
    .step('active quests', 'postgres', async (input) => {
      const user = await deps.relational.users.getById(input.userId);
      if (!user) throw new NotFoundError('user', input.userId);
      const active = (await deps.relational.reads.userActiveQuests(input.userId)).slice(
        0,
        deps.preloadQuests,
      );
      return { ...input, active };
    })
    .step(
      'start session',
      'redis',
      async (ctx) => {
        await deps.cache.sessions.users.start(ctx.userId, {
          activeCharacter: ctx.character ?? null,
          currentQuest: ctx.active[0]?.quest_id ?? null,
          sessionData: {
            session_id: ctx.sessionId ?? null,
            started_at: new Date().toISOString(),
          },
        });
        await deps.cache.pipelines.updateUserProgress(
          ctx.active.map((q) => ({
            userId: ctx.userId,
            questId: q.quest_id,
            progress: q.progress_percentage,
            completed: false,
          })),
        );
        return { ...ctx, started: true };
      },
      { fallback: (ctx) => ({ ...ctx, started: false }) },
    )
    .step(
      'preload quests',
      'redis',
      async (ctx) => {
        if (!ctx.started || ctx.active.length === 0) return { ...ctx, preloaded: 0 };
        const quests = await deps.relational.quests.getByIds(ctx.active.map((q) => q.quest_id));
        // Sent in one tick: the writes leave together (one round trip's wait).
        const written = await Promise.all(
          quests.map((q) => deps.cache.policies.quest_data.set({ questId: q.id }, q)),
        );
        return { ...ctx, preloaded: written.filter(Boolean).length };
      },
      { fallback: (ctx) => ({ ...ctx, preloaded: 0 }) },
    );

  const end = pipeline<z.output<typeof EndInput>>('sessionEnd')
    .step('read session', 'redis', async (input) => ({
      ...input,
      session: await deps.cache.sessions.users.get(input.userId),
    }))
    .step('back up summary', 'postgres', async (ctx) => {
      if (!ctx.session) return { ...ctx, summary: null };
      const s = ctx.session;
      const dataSessionId = s.sessionData.session_id;
      const { summary } = await deps.relational.sessions.backup({
        userId: ctx.userId,
        sessionKey:
          ctx.sessionId ??
          (typeof dataSessionId === 'string' && dataSessionId
            ? dataSessionId
            : String(s.lastActivity.getTime())),
        activeCharacter: s.activeCharacter,
        currentQuest: s.currentQuest,
        questProgress: s.questProgress,
        sessionData: s.sessionData,
        lastActivityAt: s.lastActivity,
      });
      return { ...ctx, summary };
    })
    // After the backup only: a failure before it leaves the session live, so nothing is lost.
    .step('end session', 'redis', async (ctx) => {
      if (ctx.session) await deps.cache.sessions.users.end(ctx.userId);
      return ctx;
    });

  return {
    /**
     * Starts a user's session and preloads the definitions of their active quests (at most
     * `preloadQuests`) into `quest_data`.
     * @example
     * const { preloaded } = await data.flows.sessionStart({ userId, character: 'sage' }); // 3
     */
    async sessionStart(input: SessionStartInput): Promise<SessionStartResult> {
      const valid = checkInput(StartInput, input, 'session');
      try {
        const { output, timings, partial } = await start.run(valid, deps.recorder);
        return {
          session: output.started
            ? await deps.cache.sessions.users.get(valid.userId).catch(() => null)
            : null,
          preloaded: output.preloaded,
          timings,
          partial,
        };
      } catch (error) {
        rethrowTyped(error);
      }
    },
    /**
     * Ends a user's session: its summary is backed up to `session_summaries` (once per session),
     * then the Redis session is removed.
     * @example
     * const { summary } = await data.flows.sessionEnd({ userId }); // { session_key, quest_progress: { … }, … }
     */
    async sessionEnd(input: SessionEndInput): Promise<SessionEndResult> {
      const valid = checkInput(EndInput, input, 'session');
      try {
        const { output, timings } = await end.run(valid, deps.recorder);
        return { ended: output.session !== null, summary: output.summary, timings };
      } catch (error) {
        rethrowTyped(error);
      }
    },
  };
}
