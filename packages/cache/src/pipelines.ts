// The spec's two Redis pipelines: `cache_character_states` (many characters' live state into
// their agent sessions) and `update_user_progress` (many users' quest progress into their
// sessions), each one round trip whatever the count (`sendBatch`: one pipeline on a standalone
// Redis, one concurrent write per node on a Cluster, every key in its own `{agent}`/`{user}` slot).
import {
  type CharacterStatus,
  CharacterStatusSchema,
  type PerformanceMetrics,
  PerformanceMetricsSchema,
} from '@monsteros/schema';
import { z } from 'zod';
import { type BatchCommand, sendBatch } from './batch.js';
import type { Availability, ScriptedClient } from './connection.js';
import type { KeyBuilders } from './keys.js';
import { agentSessionFields, PROGRESS_FIELD, userSessionFields } from './sessions.js';
import { check, KeyPart } from './validation.js';

/** One character's live state (from `character_agents.current_state` and its metrics). */
export interface CharacterState {
  name: string;
  status: CharacterStatus;
  currentContext?: string | null;
  /** Merged into the session's metrics. */
  metrics?: PerformanceMetrics;
}

/** One user's quest progress to reflect in the user's session. */
export interface UserProgressUpdate {
  userId: string;
  questId: string;
  /** 0 to 100. */
  progress: number;
  /** Completed quests leave `currentQuest` (null); others become it. */
  completed: boolean;
}

export interface Pipelines {
  /**
   * Writes many characters' states into their agent sessions (`agent:session:{name}`: status,
   * current context, metrics merged; TTL slid, session created when missing) in one round trip.
   * @example await cache.pipelines.cacheCharacterStates([{ name: 'sage', status: 'active', metrics: { quality: 0.9 } }]);
   * // one pipeline: EVALSHA session_write mos:agent:session:{sage} 3600000 upsert last_activity … status active metric:quality 0.9
   */
  cacheCharacterStates(characters: readonly CharacterState[]): Promise<{ characters: number }>;
  /**
   * Writes many users' quest progress into their sessions (`user:session:{id}`: field
   * `progress:<quest id>`, `current_quest`; TTL slid, session created when missing) in one round trip.
   * @example await cache.pipelines.updateUserProgress([{ userId, questId, progress: 40, completed: false }]);
   * // (await cache.sessions.users.get(userId)).questProgress → { [questId]: 40 }
   */
  updateUserProgress(updates: readonly UserProgressUpdate[]): Promise<{ users: number }>;
}

/** Most entries one call accepts (a bigger batch is split by the caller). */
export const MAX_PIPELINE_ENTRIES = 10_000;

const Batch = z
  .array(z.unknown(), { message: 'must be an array' })
  .max(MAX_PIPELINE_ENTRIES, `must have at most ${MAX_PIPELINE_ENTRIES} entries`);
const StateSchema = z
  .object({
    name: KeyPart,
    status: CharacterStatusSchema,
    currentContext: z.string().max(10_000, 'must be at most 10000 characters').nullable().optional(),
    metrics: PerformanceMetricsSchema.optional(),
  })
  .strict();
const ProgressSchema = z
  .object({
    userId: KeyPart,
    questId: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    progress: z
      .number({ message: 'must be a number' })
      .refine(Number.isFinite, 'must be a finite number')
      .refine((n) => n >= 0 && n <= 100, 'must be between 0 and 100'),
    completed: z.boolean({ message: 'must be true or false' }),
  })
  .strict();

export interface PipelineDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
  agentTtlMs: number;
  userTtlMs: number;
}

/** Builds `cache.pipelines` (used by createCache). */
export function createPipelines({
  client,
  availability,
  keys,
  agentTtlMs,
  userTtlMs,
}: PipelineDeps): Pipelines {
  return {
    async cacheCharacterStates(characters) {
      check(Batch, characters, 'characters');
      const now = Date.now();
      // Everything validated before anything is sent: a bad entry writes nothing.
      const commands: BatchCommand[] = characters.map((c, i) => {
        const parsed = check(StateSchema, c, `characters[${i}]`);
        const { metrics = {}, name, ...session } = parsed;
        const fields = agentSessionFields(session, metrics, now, `characters[${i}]`);
        const key = keys.agentSession(name);
        return (p) => p.mosSessionWrite(key, String(agentTtlMs), 'upsert', ...fields);
      });
      await sendBatch(client, availability, 'cache character states', commands);
      return { characters: commands.length };
    },
    async updateUserProgress(updates) {
      check(Batch, updates, 'updates');
      const now = Date.now();
      const commands: BatchCommand[] = updates.map((u, i) => {
        const parsed = check(ProgressSchema, u, `updates[${i}]`);
        const fields = [
          ...userSessionFields(
            { currentQuest: parsed.completed ? null : parsed.questId },
            `updates[${i}]`,
            now,
          ),
          PROGRESS_FIELD + parsed.questId,
          String(parsed.progress),
        ];
        const key = keys.userSession(parsed.userId);
        return (p) => p.mosSessionWrite(key, String(userTtlMs), 'upsert', ...fields);
      });
      await sendBatch(client, availability, 'update user progress', commands);
      return { users: commands.length };
    },
  };
}
