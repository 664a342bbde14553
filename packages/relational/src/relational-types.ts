// The public types of `createRelational`: the object it returns.
import type { Readable } from 'node:stream';
import type { CharacterAgent, CharacterInteraction, Database, PrismaClient } from '@monsteros/schema';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { TransactionRepositories, TransactionScope } from './relational/repositories.js';
import type { IsolationLevel } from './relational/transactions.js';
import type { CharactersRepository } from './repositories/characters.js';
import type { ActiveQuest, QuestsRepository } from './repositories/quests.js';
import type { UsersRepository } from './repositories/users.js';
import type { RelationalStats } from './stats.js';

export type { TransactionScope } from './relational/repositories.js';
export type { IsolationLevel } from './relational/transactions.js';

/** The object `createRelational` returns. */
export interface Relational extends TransactionRepositories {
  characters: CharactersRepository;
  users: UsersRepository;
  quests: QuestsRepository;
  /**
   * Reads that tolerate replication lag, served by the read replicas when configured (else
   * the primary). Anything inside a transaction always uses the primary.
   */
  reads: {
    characterByName(name: string): Promise<CharacterAgent | null>;
    userActiveQuests(userId: string): Promise<ActiveQuest[]>;
    latestInteractions(userId: string, character: string, limit?: number): Promise<CharacterInteraction[]>;
  };
  /** Prisma Client on the shared pool, for CRUD the repositories do not cover. */
  prisma: PrismaClient;
  /** Kysely on the shared pool, for SQL the repositories do not cover. */
  kysely: Kysely<Database>;
  /** The shared pg pool. */
  pool: pg.Pool;
  /**
   * Runs `fn` in one transaction on one connection: commits when it resolves, rolls back
   * when it throws (the error is rethrown typed). Rows and outbox events written through
   * `tx` commit together.
   * @example
   * await relational.transaction(async (tx) => {
   *   const { interaction } = await tx.interactions.record(input);
   *   await tx.outbox.append([{ aggregate_type: 'interaction', aggregate_id: interaction.id, event_type: 'interaction.recorded', payload: {} }]);
   * });
   */
  transaction<T>(
    fn: (tx: TransactionScope) => Promise<T>,
    options?: { isolation?: IsolationLevel },
  ): Promise<T>;
  /**
   * Runs `fn` in a serializable transaction, retrying it (with jittered exponential backoff,
   * at most `attempts` times) when PostgreSQL reports a serialization failure or deadlock.
   * @example
   * await relational.serializable(async (tx) => { … }, { attempts: 5 });
   */
  serializable<T>(
    fn: (tx: TransactionScope) => Promise<T>,
    options?: { attempts?: number; baseDelayMs?: number },
  ): Promise<T>;
  /**
   * Streams the bytes of `COPY (<query>) TO STDOUT …` (bulk extraction for the analytics). The
   * connection returns to the pool when the stream ends.
   * @example
   * const csv = await relational.copyOut('copy (select id from user_profiles) to stdout with (format csv)');
   */
  copyOut(statement: string): Promise<Readable>;
  /**
   * Empties every MonsterOS data table (one TRUNCATE, identities restarted); keeps
   * `system_config` and the migration history. Returns the tables emptied. For development
   * resets: never on live data.
   * @example
   * const emptied = await relational.reset(); // ['outbox', 'memory_operations', …]
   */
  reset(): Promise<string[]>;
  /** The MonsterOS data tables (what `reset` empties; not `system_config`), children first. */
  readonly dataTables: readonly string[];
  /**
   * Checks that the primary answers, within `timeoutMs` (default 2,000).
   * @example
   * const { ok, latencyMs } = await relational.health();
   */
  health(timeoutMs?: number): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  /** Pool and server statistics for the monitor (see RelationalStats). */
  stats(): Promise<RelationalStats>;
  /** Closes Prisma, Kysely and the pools this object opened. */
  close(): Promise<void>;
}
