// createRelational: the PostgreSQL side of MonsterOS. Checks the options, opens the pools and
// wires Prisma, Kysely, the repositories, reads on the replicas and transactions on them;
// close() ends them in order. Its options are in relational-options.ts, its public types in
// relational-types.ts, its parts (pools, repositories, replica reads, transactions, health) in
// src/relational/.
import { type Database, PrismaClient } from '@monsteros/schema';
import { PrismaPg } from '@prisma/adapter-pg';
import { Kysely, PostgresDialect } from 'kysely';
import { copyOut } from './copy.js';
import type { Db } from './db.js';
import { primaryHealth } from './relational/health.js';
import { openPools } from './relational/pools.js';
import { replicaReads } from './relational/read-replicas.js';
import { repositoriesFor } from './relational/repositories.js';
import { transactions } from './relational/transactions.js';
import { type RelationalOptions, resolveRelationalOptions } from './relational-options.js';
import type { Relational } from './relational-types.js';
import { charactersRepository } from './repositories/characters.js';
import { questsRepository } from './repositories/quests.js';
import { usersRepository } from './repositories/users.js';
import { DATA_TABLES, resetTables } from './reset.js';
import { readStats } from './stats.js';

/**
 * Creates the PostgreSQL access of MonsterOS: one pg pool shared by Prisma Client (driver
 * adapter) and Kysely, the repositories, transactions, health and statistics.
 * @example
 * const relational = createRelational({ databaseUrl: process.env.DATABASE_URL });
 * const sage = await relational.characters.getByName('sage');
 * await relational.close();
 */
export function createRelational(options: RelationalOptions = {}): Relational {
  const settings = resolveRelationalOptions(options);
  const { pool, ownsPool, replicaPools } = openPools(settings, options.pool);

  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const root: Db = { runner: pool, kysely, inTransaction: false };

  const repositories = repositoriesFor(root, prisma);
  const characters = charactersRepository(root, prisma);
  const quests = questsRepository(root, prisma);
  const reads = replicaReads(replicaPools, prisma, {
    characters,
    quests,
    interactions: repositories.interactions,
  });
  const { transaction, serializable } = transactions(pool, prisma);

  return {
    characters,
    users: usersRepository(prisma),
    quests,
    ...repositories,
    reads,
    prisma,
    kysely,
    pool,
    transaction: (fn, options = {}) => transaction(fn, options.isolation),
    serializable: (fn, options = {}) => serializable(fn, options),
    copyOut: (statement: string) => copyOut(pool, statement),
    reset: () => resetTables(pool),
    dataTables: DATA_TABLES,
    health: (timeoutMs = 2_000) => primaryHealth(pool, timeoutMs),
    stats: () => readStats(pool),
    // Prisma first, then the replicas, and the primary pool last (only one opened here).
    async close(): Promise<void> {
      await prisma.$disconnect().catch(() => {});
      await Promise.all(replicaPools.map((p) => p.end()));
      if (ownsPool) await pool.end();
    },
  };
}
