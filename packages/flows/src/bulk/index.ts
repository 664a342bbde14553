export { BULK_EVENT_TYPES, bulkOutboxHandlers } from './embed-events.js';
export {
  type AchievementGrantImport,
  type BulkImports,
  bulkImports,
  type ImportResult,
  type InteractionImport,
  MAX_IMPORT_ROWS,
} from './imports.js';
