// sessionStart: the user's active quests (PostgreSQL, at most `preloadQuests`) → the session with
// their progress (Redis, updateUserProgress) → those quests' definitions preloaded into
// `quest_data` (Redis), so the session's quest reads hit. Bounded work per session: one query
// for the active quests, one for their definitions, one round trip per Redis step.
// sessionEnd: the live session (Redis) → its summary backed up (PostgreSQL, once per session) →
// the session ended (Redis). Redis holds what is real-time; PostgreSQL keeps its record.
import type { Cache, UserSession } from '@monsteros/cache';
import { type ActiveQuest, NotFoundError, type Relational } from '@monsteros/relational';
import type { SessionSummary } from '@monsteros/schema';
import { z } from 'zod';
import { checkInput, rethrowTyped } from '../boundary.js';
import { pipeline, type StepTiming, type TimingRecorder } from '../pipeline.js';

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

// What each step adds to the context the next one reads.
type ValidStart = z.output<typeof StartInput>;
type WithActiveQuests = ValidStart & { active: ActiveQuest[] };
type Started = WithActiveQuests & { started: boolean };
type Preloaded = Started & { preloaded: number };
type ValidEnd = z.output<typeof EndInput>;
type SessionRead = ValidEnd & { session: UserSession | null };
type BackedUp = SessionRead & { summary: SessionSummary | null };

/** The user must exist; their active quests, at most `preloadQuests` of them. */
const readActiveQuests =
  (deps: SessionDeps) =>
  async (input: ValidStart): Promise<WithActiveQuests> => {
    const user = await deps.relational.users.getById(input.userId);
    if (!user) throw new NotFoundError('user', input.userId);
    const active = (await deps.relational.reads.userActiveQuests(input.userId)).slice(0, deps.preloadQuests);
    return { ...input, active };
  };

/** The Redis session, on the first active quest, with the progress of every active quest. */
const startSession =
  (deps: SessionDeps) =>
  async (ctx: WithActiveQuests): Promise<Started> => {
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
  };

/** The active quests' definitions into `quest_data`, so the session's quest reads hit. */
const preloadQuests =
  (deps: SessionDeps) =>
  async (ctx: Started): Promise<Preloaded> => {
    if (!ctx.started || ctx.active.length === 0) return { ...ctx, preloaded: 0 };
    const quests = await deps.relational.quests.getByIds(ctx.active.map((q) => q.quest_id));
    // Sent in one tick: the writes leave together (one round trip's wait).
    const written = await Promise.all(
      quests.map((q) => deps.cache.policies.quest_data.set({ questId: q.id }, q)),
    );
    return { ...ctx, preloaded: written.filter(Boolean).length };
  };

const readSession =
  (deps: SessionDeps) =>
  async (input: ValidEnd): Promise<SessionRead> => ({
    ...input,
    session: await deps.cache.sessions.users.get(input.userId),
  });

/** The session's key: the caller's id, else the one it started with, else its last activity in ms. */
function sessionKey(ctx: ValidEnd, session: UserSession): string {
  const dataSessionId = session.sessionData.session_id;
  return (
    ctx.sessionId ??
    (typeof dataSessionId === 'string' && dataSessionId
      ? dataSessionId
      : String(session.lastActivity.getTime()))
  );
}

/** The live session's summary in `session_summaries` (once per session); no session, no summary. */
const backUpSummary =
  (deps: SessionDeps) =>
  async (ctx: SessionRead): Promise<BackedUp> => {
    if (!ctx.session) return { ...ctx, summary: null };
    const s = ctx.session;
    const { summary } = await deps.relational.sessions.backup({
      userId: ctx.userId,
      sessionKey: sessionKey(ctx, s),
      activeCharacter: s.activeCharacter,
      currentQuest: s.currentQuest,
      questProgress: s.questProgress,
      sessionData: s.sessionData,
      lastActivityAt: s.lastActivity,
    });
    return { ...ctx, summary };
  };

const endSession =
  (deps: SessionDeps) =>
  async (ctx: BackedUp): Promise<BackedUp> => {
    if (ctx.session) await deps.cache.sessions.users.end(ctx.userId);
    return ctx;
  };

export function sessionFlows(deps: SessionDeps) {
  const start = pipeline<ValidStart>('sessionStart')
    .step('active quests', 'postgres', readActiveQuests(deps))
    .step('start session', 'redis', startSession(deps), { fallback: (ctx) => ({ ...ctx, started: false }) })
    .step('preload quests', 'redis', preloadQuests(deps), { fallback: (ctx) => ({ ...ctx, preloaded: 0 }) });

  const end = pipeline<ValidEnd>('sessionEnd')
    .step('read session', 'redis', readSession(deps))
    .step('back up summary', 'postgres', backUpSummary(deps))
    // After the backup only: a failure before it leaves the session live, so nothing is lost.
    .step('end session', 'redis', endSession(deps));

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
