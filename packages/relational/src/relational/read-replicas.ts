// relational.reads: reads that tolerate replication lag, round robin over the read replicas (the
// primary's repositories when there is none).
import type { Database, PrismaClient } from '@monsteros/schema';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Db } from '../db.js';
import type { Relational } from '../relational-types.js';
import { type CharactersRepository, charactersRepository } from '../repositories/characters.js';
import { type InteractionsRepository, interactionsRepository } from '../repositories/interactions.js';
import { type QuestsRepository, questsRepository } from '../repositories/quests.js';

interface Reader {
  characters: CharactersRepository;
  quests: QuestsRepository;
  interactions: InteractionsRepository;
}

/** `reads` served by the replica pools in turn, or by `primary` without replicas. */
export function replicaReads(
  replicaPools: pg.Pool[],
  prisma: PrismaClient,
  primary: Reader,
): Relational['reads'] {
  // The repositories that serve `reads`, built once per replica.
  const replicaReaders: Reader[] = replicaPools.map((p) => {
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
  let nextReplica = 0;
  const reader = () =>
    replicaReaders.length === 0 ? primary : replicaReaders[nextReplica++ % replicaReaders.length]!;
  return {
    characterByName: (name: string) => reader().characters.getByName(name),
    userActiveQuests: (userId: string) => reader().quests.getUserActiveQuests(userId),
    latestInteractions: (userId: string, character: string, limit?: number) =>
      reader().interactions.latest(userId, character, limit),
  };
}
