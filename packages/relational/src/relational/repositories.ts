// The repositories bound to one Db: on the pool (built once) or in a transaction (each built on
// first use).
import type { Database, PrismaClient } from '@monsteros/schema';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { type Db, kyselyOnConnection } from '../db.js';
import { type AchievementsRepository, achievementsRepository } from '../repositories/achievements.js';
import { type InteractionsRepository, interactionsRepository } from '../repositories/interactions.js';
import { type MemoryRepository, memoryRepository } from '../repositories/memory/memory-repository.js';
import { type OperationsRepository, operationsRepository } from '../repositories/operations.js';
import { type OutboxRepository, outboxRepository } from '../repositories/outbox.js';
import { type ProgressRepository, progressRepository } from '../repositories/progress.js';
import { type SessionsRepository, sessionsRepository } from '../repositories/sessions.js';
import { type ConfigRepository, configRepository } from '../repositories/system-config.js';

/** The repositories a transaction can use (every one but characters, users and quests). */
export interface TransactionRepositories {
  progress: ProgressRepository;
  achievements: AchievementsRepository;
  config: ConfigRepository;
  interactions: InteractionsRepository;
  memory: MemoryRepository;
  outbox: OutboxRepository;
  operations: OperationsRepository;
  /** Summaries of ended user sessions (their Redis state backed up). */
  sessions: SessionsRepository;
}

/** What a transaction callback gets: the repositories bound to the transaction's connection. */
export type TransactionScope = TransactionRepositories & {
  /** Kysely on the transaction's connection, for anything the repositories do not cover. */
  kysely: Kysely<Database>;
};

/** The transaction repositories on `db`, all built now. */
export function repositoriesFor(db: Db, prisma: PrismaClient): TransactionRepositories {
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
export function transactionScope(client: pg.PoolClient, prisma: PrismaClient): TransactionScope {
  let kysely: Kysely<Database> | undefined;
  const db: Db = {
    runner: client,
    get kysely() {
      kysely ??= kyselyOnConnection(client);
      return kysely;
    },
    inTransaction: true,
  };
  const built: Partial<TransactionRepositories> = {};
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
