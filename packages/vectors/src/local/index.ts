// @monsteros/vectors/local: an embedded engine with Qdrant 1.19's semantics, usable in process
// (LocalQdrant, or the official client's method signatures via createLocalQdrantClient) and over
// Qdrant's own REST API (startLocalQdrantServer).
export { createLocalQdrantClient, type QdrantClientLike, type QdrantClientMethod } from './client.js';
export { DataDirectoryLockedError, LocalQdrantError, type LocalQdrantErrorCode } from './errors.js';
export { LocalQdrant, type LocalQdrantOptions, type SearchRequest } from './local-qdrant.js';
export { type Answer, dispatchRequest, type RestRequest } from './server/dispatch.js';
export {
  type LocalQdrantServer,
  type LocalQdrantServerOptions,
  startLocalQdrantServer,
} from './server/http-server.js';
