// @monsteros/qdrant-local: an embedded engine with Qdrant 1.19's semantics, usable in process
// (LocalQdrant, or the official client's method signatures via createLocalQdrantClient) and over
// Qdrant's own REST API (startLocalQdrantServer). It knows nothing of MonsterOS.
export {
  acceptsFloatArrays,
  createLocalQdrantClient,
  type QdrantClientLike,
  type QdrantClientMethod,
} from './create-local-qdrant-client.js';
export type { GroupsRequest } from './engine/groups.js';
export type { SearchRequest } from './engine/search-request.js';
export type { CollectionTelemetry, EngineTelemetry } from './engine/telemetry.js';
export { DataDirectoryLockedError, LocalQdrantError, type LocalQdrantErrorCode } from './errors.js';
export { LocalQdrant, type LocalQdrantOptions } from './local-qdrant.js';
export { type Answer, type DispatchOptions, dispatchRequest, type RestRequest } from './server/dispatch.js';
export {
  type LocalQdrantServer,
  type LocalQdrantServerOptions,
  startLocalQdrantServer,
} from './server/http-server.js';
export { RequestStats } from './server/telemetry.js';
