// @monsteros/relational: PostgreSQL access for MonsterOS. One pg pool shared by Prisma Client
// and Kysely, typed repositories, the hot queries as named prepared statements, transactions,
// health and statistics.
export { createRelational } from './create-relational.js';
export {
  CheckViolationError,
  ConflictError,
  ForeignKeyError,
  mapDatabaseError,
  NotFoundError,
  RelationalError,
  type RelationalErrorCode,
  RelationalValidationError,
  /** @deprecated The earlier name of `RelationalValidationError` (the same class), kept for existing callers. */
  RelationalValidationError as ValidationError,
  SerializationError,
  TimeoutError,
  UnavailableError,
} from './errors.js';
export type { RelationalOptions } from './relational-options.js';
export type { IsolationLevel, Relational, TransactionScope } from './relational-types.js';
export type { AchievementsRepository, NewAchievement } from './repositories/achievements.js';
export type { CharactersRepository, NewCharacter } from './repositories/characters.js';
export {
  type InteractionCursor,
  type InteractionPage,
  type InteractionsRepository,
  interactionRequestHash,
  type NewInteraction,
  type RecordedInteraction,
} from './repositories/interactions.js';
export { normalizeEntityName } from './repositories/memory/entities.js';
export type { MemoryGraphChanges, MemoryGraphChangesRefusal } from './repositories/memory/graph-changes.js';
export type { MemoryRepository } from './repositories/memory/memory-repository.js';
export type { MemoryFact, TripleRowInput } from './repositories/memory/triples.js';
export type { MemoryOperationInput, OperationsRepository } from './repositories/operations.js';
export type { OutboxBacklog, OutboxRepository, OutboxRow } from './repositories/outbox.js';
export type { ProgressRepository, ProgressUpdate, QuestProgress } from './repositories/progress.js';
export type { ActiveQuest, NewQuest, QuestsRepository } from './repositories/quests.js';
export type { SessionSummaryInput, SessionsRepository } from './repositories/sessions.js';
export type { ConfigEntry, ConfigRepository } from './repositories/system-config.js';
export type { NewUser, UserOverview, UsersRepository } from './repositories/users.js';
export type { RelationalStats } from './stats.js';
