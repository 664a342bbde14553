import type { Readable } from 'node:stream';
import {
  type CharacterAgent,
  type CharacterInteraction,
  type Database,
  PrismaClient,
} from '@monsteros/schema';
import { PrismaPg } from '@prisma/adapter-pg';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { copyOut } from './copy.js';
import { type Db, kyselyOnConnection } from './db.js';
import { mapDatabaseError, SerializationError, UnavailableError } from './errors.js';
import { type AchievementsRepository, achievementsRepository } from './repositories/achievements.js';
import { type CharactersRepository, charactersRepository } from './repositories/characters.js';
import { type InteractionsRepository, interactionsRepository } from './repositories/interactions.js';
import { type MemoryRepository, memoryRepository } from './repositories/memory/memory-repository.js';
import { type OperationsRepository, operationsRepository } from './repositories/operations.js';
import { type OutboxRepository, outboxRepository } from './repositories/outbox.js';
import { type ProgressRepository, progressRepository } from './repositories/progress.js';
import { type ActiveQuest, type QuestsRepository, questsRepository } from './repositories/quests.js';
import { type SessionsRepository, sessionsRepository } from './repositories/sessions.js';
import { type ConfigRepository, configRepository } from './repositories/system-config.js';
import { type UsersRepository, usersRepository } from './repositories/users.js';
import { DATA_TABLES, resetTables } from './reset.js';
import { type RelationalStats, readStats } from './stats.js';
import { check } from './validation.js';

/** Options of `createRelational`; every field has a default. */
export interface RelationalOptions {
  /** Connection string. Default: DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/monsteros. */
  databaseUrl?: string;
  /** Use this pool instead of opening one (it is not closed by `close()`). */
  pool?: pg.Pool;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Server-side limit for one statement, in ms. Default 10,000. */
  statementTimeoutMs?: number;
  /** Limit for opening a connection, in ms. Default 5,000. */
  connectionTimeoutMs?: number;
  /** Shown in pg_stat_activity. Default `monsteros-data`. */
  applicationName?: string;
  /** Read replicas: reads that tolerate lag (`relational.reads`) go there, round robin. Default none. */
  replicaUrls?: string[];
}

const OptionsSchema = z.object({
  databaseUrl: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  poolSize: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .optional(),
  statementTimeoutMs: z.number().int().min(1, 'must be at least 1 ms').optional(),
  connectionTimeoutMs: z.number().int().min(1, 'must be at least 1 ms').optional(),
  applicationName: z.string().max(63, 'must be at most 63 characters').optional(),
  replicaUrls: z
    .array(z.string().refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be postgres:// URLs'))
    .optional(),
});

const Isolation = z.enum(['read committed', 'repeatable read', 'serializable'], {
  message: "must be 'read committed', 'repeatable read' or 'serializable'",
});
export type IsolationLevel = z.output<typeof Isolation>;

const RetryOptionsSchema = z.object({
  attempts: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .optional(),
  baseDelayMs: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(60_000, 'must be at most 60000')
    .optional(),
});

const HealthTimeout = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1 ms')
  .max(600_000, 'must be at most 600000 ms');

function repositoriesFor(
  db: Db,
  prisma: PrismaClient,
): {
  progress: ProgressRepository;
  achievements: AchievementsRepository;
  config: ConfigRepository;
  interactions: InteractionsRepository;
  memory: MemoryRepository;
  outbox: OutboxRepository;
  operations: OperationsRepository;
  sessions: SessionsRepository;
} {
  return {
    progress: progressRepository(db),
    achievements: achievementsRepository(db, prisma),
    config: configRepository(db),
    interactions: interactionsRepository(db),
    memory: memoryRepository(db),
    outbox: outboxRepository(db),
    operations: operationsRepository(db),
    sessions: sessionsRepository(db),
  };
}

/**
 * The repositories of one transaction, each built on first use (a transaction usually touches
 * two or three of them), with Kysely on its connection.
 */
function transactionScope(client: pg.PoolClient, prisma: PrismaClient): TransactionScope {
  let kysely: Kysely<Database> | undefined;
  const db: Db = {
    runner: client,
    get kysely() {
      kysely ??= kyselyOnConnection(client);
      return kysely;
    },
    inTransaction: true,
  };
  const built: Partial<ReturnType<typeof repositoriesFor>> = {};
  return {
    get progress() {
      built.progress ??= progressRepository(db);
      return built.progress;
    },
    get achievements() {
      built.achievements ??= achievementsRepository(db, prisma);
      return built.achievements;
    },
    get config() {
      built.config ??= configRepository(db);
      return built.config;
    },
    get interactions() {
      built.interactions ??= interactionsRepository(db);
      return built.interactions;
    },
    get memory() {
      built.memory ??= memoryRepository(db);
      return built.memory;
    },
    get outbox() {
      built.outbox ??= outboxRepository(db);
      return built.outbox;
    },
    get operations() {
      built.operations ??= operationsRepository(db);
      return built.operations;
    },
    get sessions() {
      built.sessions ??= sessionsRepository(db);
      return built.sessions;
    },
    get kysely() {
      return db.kysely;
    },
  };
}

/** What a transaction callback gets: the repositories bound to the transaction's connection. */
export type TransactionScope = ReturnType<typeof repositoriesFor> & {
  /** Kysely on the transaction's connection, for anything the repositories do not cover. */
  kysely: Kysely<Database>;
};

/**
 * Creates the PostgreSQL access of MonsterOS: one pg pool shared by Prisma Client (driver
 * adapter) and Kysely, the repositories, transactions, health and statistics.
 * @example
 * const relational = createRelational({ databaseUrl: process.env.DATABASE_URL });
 * const sage = await relational.characters.getByName('sage');
 * await relational.close();
 */
export function createRelational(options: RelationalOptions = {}): Relational {
  const opts = check(OptionsSchema, { ...options, pool: undefined }, 'options');
  const connectionString =
    opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/monsteros';
  const statementTimeout = opts.statementTimeoutMs ?? 10_000;
  const poolConfig = (url: string): pg.PoolConfig => ({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    statement_timeout: statementTimeout,
    // The client gives up a little after the server would have: a dead server still ends the wait.
    query_timeout: statementTimeout + 5_000,
    application_name: opts.applicationName ?? 'monsteros-data',
  });
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool(poolConfig(connectionString));
  // An idle connection that dies (server restart) must not crash the process; the pool
  // replaces it, and the next query reports the outage as UnavailableError.
  pool.on('error', () => {});
  // A client checked out by Kysely, Prisma or a COPY stream has no listener of its own between
  // statements; this one keeps a lost connection from crashing the process (the next statement
  // on it fails, typed UNAVAILABLE, and the pool discards it on release).
  pool.on('connect', (client) => client.on('error', () => {}));
  const replicaPools = (opts.replicaUrls ?? []).map((url) => {
    const replica = new pg.Pool(poolConfig(url));
    replica.on('error', () => {});
    return replica;
  });

  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const root: Db = { runner: pool, kysely, inTransaction: false };

  const repositories = repositoriesFor(root, prisma);
  const characters = charactersRepository(root, prisma);
  const quests = questsRepository(root, prisma);

  // The repositories that serve `reads`, built once per replica (the primary's when there is none).
  const replicaReaders = replicaPools.map((p) => {
    const replica: Db = {
      runner: p,
      kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool: p }) }),
      inTransaction: false,
    };
    return {
      characters: charactersRepository(replica, prisma),
      quests: questsRepository(replica, prisma),
      interactions: interactionsRepository(replica),
    };
  });
  const primaryReader = { characters, quests, interactions: repositories.interactions };
  let nextReplica = 0;
  const reader = () =>
    replicaReaders.length === 0 ? primaryReader : replicaReaders[nextReplica++ % replicaReaders.length]!;

  async function transaction<T>(
    fn: (tx: TransactionScope) => Promise<T>,
    isolation: IsolationLevel = 'read committed',
  ): Promise<T> {
    // The level is written into the BEGIN text (it cannot be bound): only the three names pass.
    const level = check(Isolation, isolation, 'isolation');
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new UnavailableError('transaction: cannot get a PostgreSQL connection', { cause: error });
    }
    // While checked out, the pool no longer listens to this client: PostgreSQL ending its backend
    // between two statements (pg_terminate_backend, a failover, an idle timeout) makes it emit
    // 'error' with no query to receive it, which would crash the process. The transaction then
    // fails as UNAVAILABLE (nothing of it committed) and the connection is discarded.
    let lost: Error | undefined;
    const onLost = (error: Error) => {
      lost ??= error;
    };
    client.on('error', onLost);
    let broken: Error | undefined;
    try {
      await client.query(`begin isolation level ${level}`);
      const result = await fn(transactionScope(client, prisma));
      await client.query('commit');
      return result;
    } catch (error) {
      if (!lost) {
        await client.query('rollback').catch((e: Error) => {
          broken = e;
        });
      }
      if (lost) {
        throw new UnavailableError('transaction: the PostgreSQL connection was lost; nothing was committed', {
          cause: lost,
        });
      }
      throw mapDatabaseError(error, 'transaction');
    } finally {
      client.off('error', onLost);
      // A lost connection, or one whose rollback failed, is destroyed, not returned to the pool.
      client.release(lost ?? broken);
    }
  }

  return {
    characters,
    users: usersRepository(prisma),
    quests,
    ...repositories,
    /**
     * Reads that tolerate replication lag, served by the read replicas when configured (else
     * the primary). Anything inside a transaction always uses the primary.
     */
    reads: {
      characterByName: (name: string) => reader().characters.getByName(name),
      userActiveQuests: (userId: string) => reader().quests.getUserActiveQuests(userId),
      latestInteractions: (userId: string, character: string, limit?: number) =>
        reader().interactions.latest(userId, character, limit),
    },
    /** Prisma Client on the shared pool, for CRUD the repositories do not cover. */
    prisma,
    /** Kysely on the shared pool, for SQL the repositories do not cover. */
    kysely,
    /** The shared pg pool. */
    pool,

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
      options: { isolation?: IsolationLevel } = {},
    ): Promise<T> {
      return transaction(fn, options.isolation);
    },

    /**
     * Runs `fn` in a serializable transaction, retrying it (with jittered exponential backoff,
     * at most `attempts` times) when PostgreSQL reports a serialization failure or deadlock.
     * @example
     * await relational.serializable(async (tx) => { … }, { attempts: 5 });
     */
    async serializable<T>(
      fn: (tx: TransactionScope) => Promise<T>,
      options: { attempts?: number; baseDelayMs?: number } = {},
    ): Promise<T> {
      const retry = check(RetryOptionsSchema, options, 'options');
      const attempts = retry.attempts ?? 5;
      const base = retry.baseDelayMs ?? 10;
      for (let attempt = 1; ; attempt++) {
        try {
          return await transaction(fn, 'serializable');
        } catch (error) {
          if (!(error instanceof SerializationError) || attempt >= attempts) throw error;
          await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1) * (0.5 + Math.random())));
        }
      }
    },

    copyOut: (statement: string) => copyOut(pool, statement),

    /**
     * Empties every MonsterOS data table (one TRUNCATE, identities restarted); keeps
     * `system_config` and the migration history. For development resets: never on live data.
     * @example
     * const emptied = await relational.reset(); // ['outbox', 'memory_operations', …]
     */
    reset: () => resetTables(pool),
    dataTables: DATA_TABLES,

    /**
     * Checks that the primary answers, within `timeoutMs` (default 2,000).
     * @example
     * const { ok, latencyMs } = await relational.health();
     */
    async health(timeoutMs = 2_000): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
      const limit = check(HealthTimeout, timeoutMs, 'timeoutMs');
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          pool.query('select 1'),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit);
          }),
        ]);
        return { ok: true, latencyMs: performance.now() - started };
      } catch (error) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          error: mapDatabaseError(error, 'health check').message,
        };
      } finally {
        clearTimeout(timer);
      }
    },

    /** Pool and server statistics for the monitor (see RelationalStats). */
    stats(): Promise<RelationalStats> {
      return readStats(pool);
    },

    /** Closes Prisma, Kysely and the pools this object opened. */
    async close(): Promise<void> {
      await prisma.$disconnect().catch(() => {});
      await Promise.all(replicaPools.map((p) => p.end()));
      if (ownsPool) await pool.end();
    },
  };
}

/** The object `createRelational` returns. */
export interface Relational {
  characters: CharactersRepository;
  users: UsersRepository;
  quests: QuestsRepository;
  progress: ProgressRepository;
  achievements: AchievementsRepository;
  config: ConfigRepository;
  interactions: InteractionsRepository;
  memory: MemoryRepository;
  outbox: OutboxRepository;
  operations: OperationsRepository;
  /** Summaries of ended user sessions (their Redis state backed up). */
  sessions: SessionsRepository;
  reads: {
    characterByName(name: string): Promise<CharacterAgent | null>;
    userActiveQuests(userId: string): Promise<ActiveQuest[]>;
    latestInteractions(userId: string, character: string, limit?: number): Promise<CharacterInteraction[]>;
  };
  prisma: PrismaClient;
  kysely: Kysely<Database>;
  pool: pg.Pool;
  transaction<T>(
    fn: (tx: TransactionScope) => Promise<T>,
    options?: { isolation?: IsolationLevel },
  ): Promise<T>;
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
  /** Empties every MonsterOS data table; keeps `system_config`. Returns the tables emptied. */
  reset(): Promise<string[]>;
  /** The MonsterOS data tables (what `reset` empties; not `system_config`), children first. */
  readonly dataTables: readonly string[];
  health(timeoutMs?: number): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  stats(): Promise<RelationalStats>;
  close(): Promise<void>;
}
