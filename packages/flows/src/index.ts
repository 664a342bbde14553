// @monsteros/flows: the data layer composed. createDataLayer builds the four stores, the flows
// (characterInteraction, questProgress, memoryConsolidation) and the outbox relay.

export {
  type AchievementGrantImport,
  BULK_EVENT_TYPES,
  type BulkImports,
  type ImportResult,
  type InteractionImport,
  MAX_IMPORT_ROWS,
} from './bulk/index.js';
export { questionPattern, questionPatternHash } from './caching/response-cache.js';
export { createDataLayer } from './create-data-layer.js';
export type { CrossCharacterSearchInput, CrossCharacterSearchResult } from './cross-character-search.js';
export {
  type DataLayerConfig,
  DEFAULT_POOL_SIZE,
  loadConfig,
  resolveLocalPaths,
} from './data-layer-config.js';
export type {
  DataLayer,
  DataLayerHealth,
  DataLayerOptions,
  FlowTimingRecord,
  MonitoredDataLayer,
} from './data-layer-types.js';
export { ConfigError, FlowError, type FlowErrorCode, FlowValidationError, StepError } from './errors.js';
export type { ConsolidationInput, ConsolidationResult } from './flows/consolidation.js';
export type { InteractionInput, InteractionResult } from './flows/interaction.js';
export type { QuestProgressInput, QuestProgressResult } from './flows/quest.js';
export type {
  SessionEndInput,
  SessionEndResult,
  SessionStartInput,
  SessionStartResult,
} from './flows/session.js';
export * from './memory/index.js';
export { formatOutboxStatus, type OutboxStatus, outboxStatus, type ParkedEvent } from './outbox/admin.js';
export { EVENT_TYPES, flowHandlers } from './outbox/events.js';
export {
  createRelay,
  type DrainResult,
  type OutboxHandler,
  PermanentError,
  type Relay,
  type RelayOptions,
  type RelayStats,
} from './outbox/relay.js';
export {
  Pipeline,
  type PipelineResult,
  pipeline,
  type StepOptions,
  type StepStore,
  type StepTiming,
  type TimingRecorder,
} from './pipeline.js';
export type {
  AchievementToStore,
  MemoryToStore,
  RecalledMemory,
  StoredMemory,
  VectorsPort,
} from './ports.js';
export { type DriftRow, formatReconcile, type ReconcileReport, reconcile } from './reconcile.js';
export type { ResetResult } from './reset.js';
export { type Responder, type ResponderInput, templateResponder } from './responder.js';
export { createVectorsPort, type VectorsPortOptions, vectorsPort } from './vectors-port.js';
