// @monsteros/schema: the relational model's types and client, generated from
// prisma/schema.prisma, and the JSONB document schemas. Opens no connection.

export * from './documents.js';
export * from './errors.js';
export type * as Tables from './generated/kysely/types.js';
/** Kysely's view of the same tables: `Kysely<Database>`; `Tables.CharacterAgent` is one table. */
export type { DB as Database } from './generated/kysely/types.js';
/** Prisma Client class (construct it with a driver adapter), the Prisma namespace, row types. */
export {
  type Achievement,
  type CharacterAgent,
  type CharacterInteraction,
  type MemoryEntity,
  type MemoryGraphVersion,
  type MemoryOperation,
  type MemoryPassage,
  type MemorySynonymEdge,
  type MemoryTriple,
  type OutboxEvent,
  Prisma,
  PrismaClient,
  type QuestDefinition,
  type SessionSummary,
  type SystemConfig,
  type UserAchievement,
  type UserProfile,
  type UserQuestProgress,
} from './generated/prisma/client.js';
export * from './input.js';
