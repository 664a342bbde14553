import { type CompletionData, CompletionDataSchema } from '@monsteros/schema';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { ForeignKeyError, mapDatabaseError, NotFoundError, RelationalValidationError } from '../errors.js';
import { type ProgressRowRaw, run, STATEMENTS } from '../statements.js';
import { Chapter, check, Percentage, Uuid } from '../validation.js';

/** A user's progress in one quest, with the percentage as a number. */
export interface QuestProgress {
  id: string;
  user_id: string;
  quest_id: string;
  progress_percentage: number;
  current_chapter: number;
  completion_data: CompletionData;
  started_at: Date;
  completed_at: Date | null;
}

/** What an upsert did: the row after it, and whether this call completed the quest. */
export interface ProgressUpdate {
  progress: QuestProgress;
  /** True only for the call that first reached 100: grant achievements on this, once. */
  completedNow: boolean;
  /** True when this call started the quest. */
  started: boolean;
}

function toProgress(row: ProgressRowRaw): QuestProgress {
  return {
    id: row.id,
    user_id: row.user_id,
    quest_id: row.quest_id,
    progress_percentage: Number(row.progress_percentage),
    current_chapter: row.current_chapter,
    completion_data: row.completion_data as CompletionData,
    started_at: row.started_at,
    completed_at: row.completed_at,
  };
}

/** Quest progress: one upsert that never goes backwards and completes once. */
export function progressRepository(db: Db) {
  return {
    /**
     * Records progress of a user in a quest: creates the row on first call; afterwards the
     * percentage and chapter only ever grow (a lower value keeps the higher one), and reaching
     * 100 sets completed_at once. Unknown user or quest is a NotFoundError.
     * @example
     * const { completedNow } = await relational.progress.upsert({ userId, questId, progress: 100, chapter: 5 });
     */
    async upsert(input: {
      userId: string;
      questId: string;
      progress: number;
      chapter: number;
      completionData?: CompletionData;
    }): Promise<ProgressUpdate> {
      const userId = check(Uuid, input.userId, 'userId');
      const questId = check(Uuid, input.questId, 'questId');
      const progress = check(Percentage, input.progress, 'progress');
      const chapter = check(Chapter, input.chapter, 'chapter');
      const completion = check(CompletionDataSchema, input.completionData ?? {}, 'completionData');
      try {
        const [row] = await run(db.runner, STATEMENTS.upsertQuestProgress, [
          userId,
          questId,
          progress,
          chapter,
          JSON.stringify(completion),
        ]);
        return { progress: toProgress(row!), completedNow: row!.completed_now, started: row!.inserted };
      } catch (error) {
        const mapped = mapDatabaseError(error, 'record quest progress');
        if (mapped instanceof ForeignKeyError) {
          throw mapped.constraint === 'user_quest_progress_quest_id_fkey'
            ? new NotFoundError('quest', questId)
            : new NotFoundError('user', userId);
        }
        throw mapped;
      }
    },

    /**
     * Locks the user's progress in the quest until the transaction ends (an advisory lock, held
     * even before the row exists) and returns its percentage now (0 when there is none): a step
     * computed from it (new − previous) is exact even when the same user's updates race.
     * @example
     * const before = await tx.progress.lockPrevious(userId, questId); // 40
     */
    async lockPrevious(userId: string, questId: string): Promise<number> {
      if (!db.inTransaction)
        throw new RelationalValidationError(
          'progress.lockPrevious',
          'must be called inside relational.transaction()',
        );
      const u = check(Uuid, userId, 'userId');
      const q = check(Uuid, questId, 'questId');
      try {
        const { rows } = await sql<{ pct: string | null }>`
          select (select progress_percentage from user_quest_progress where user_id = ${u} and quest_id = ${q}) as pct
            from (select pg_advisory_xact_lock(hashtextextended(${`progress:${u}:${q}`}, 0))) as locked`.execute(
          db.kysely,
        );
        return Number(rows[0]?.pct ?? 0);
      } catch (error) {
        throw mapDatabaseError(error, 'lock quest progress');
      }
    },

    /** The user's progress in the quest, or null. */
    async get(userId: string, questId: string): Promise<QuestProgress | null> {
      const u = check(Uuid, userId, 'userId');
      const q = check(Uuid, questId, 'questId');
      try {
        const row = await db.kysely
          .selectFrom('user_quest_progress')
          .selectAll()
          .where('user_id', '=', u)
          .where('quest_id', '=', q)
          .executeTakeFirst();
        return row ? toProgress({ ...row, completed_now: false, inserted: false }) : null;
      } catch (error) {
        throw mapDatabaseError(error, 'get quest progress');
      }
    },
  };
}
export type ProgressRepository = ReturnType<typeof progressRepository>;
