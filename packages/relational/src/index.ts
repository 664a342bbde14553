// @monsteros/relational: PostgreSQL access for MonsterOS. One pg pool shared by Prisma Client
// and Kysely, typed repositories, the hot queries as named prepared statements, transactions,
// health and statistics.
export {
  createRelational,
  type IsolationLevel,
  type Relational,
  type RelationalOptions,
  type TransactionScope,
} from './client.js';
export {
  CheckViolationError,
  ConflictError,
  ForeignKeyError,
  mapDatabaseError,
  NotFoundError,
  RelationalError,
  type RelationalErrorCode,
  SerializationError,
  TimeoutError,
  UnavailableError,
  ValidationError,
} from './errors.js';
export type { NewAchievement } from './repositories/achievements.js';
export type { NewCharacter } from './repositories/characters.js';
export type { ConfigEntry } from './repositories/config.js';
export {
  type InteractionCursor,
  type InteractionPage,
  interactionRequestHash,
  type NewInteraction,
  type RecordedInteraction,
} from './repositories/interactions.js';
export { type MemoryGraph, normalizeEntityName } from './repositories/memory.js';
export type { OutboxBacklog, OutboxRow } from './repositories/outbox.js';
export type { ProgressUpdate, QuestProgress } from './repositories/progress.js';
export type { ActiveQuest, NewQuest } from './repositories/quests.js';
export type { NewUser, UserOverview } from './repositories/users.js';
export type { RelationalStats } from './stats.js';
