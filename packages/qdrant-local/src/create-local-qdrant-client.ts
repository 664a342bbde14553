import type { QdrantClient } from '@qdrant/js-client-rest';
import type { LocalQdrant } from './local-qdrant.js';

/** The methods of the official `QdrantClient` that the local mode implements in process. */
export type QdrantClientMethod =
  | 'getCollections'
  | 'getCollection'
  | 'collectionExists'
  | 'createCollection'
  | 'deleteCollection'
  | 'updateCollectionAliases'
  | 'getCollectionAliases'
  | 'getAliases'
  | 'createPayloadIndex'
  | 'deletePayloadIndex'
  | 'upsert'
  | 'retrieve'
  | 'delete'
  | 'setPayload'
  | 'overwritePayload'
  | 'deletePayload'
  | 'clearPayload'
  | 'batchUpdate'
  | 'updateVectors'
  | 'deleteVectors'
  | 'scroll'
  | 'count'
  | 'query'
  | 'queryBatch'
  | 'queryGroups'
  | 'facet'
  | 'searchMatrixPairs'
  | 'searchMatrixOffsets'
  | 'updateCollection'
  | 'createVectorName'
  | 'deleteVectorName'
  | 'createSnapshot'
  | 'listSnapshots'
  | 'deleteSnapshot'
  | 'recoverSnapshot';

/** The subset of `QdrantClient` that code written against Qdrant can use on a local engine without HTTP. */
export type QdrantClientLike = Pick<QdrantClient, QdrantClientMethod>;

type Args<M extends QdrantClientMethod> = Parameters<QdrantClient[M]>;
type Result<M extends QdrantClientMethod> = ReturnType<QdrantClient[M]>;

/** Client-side options of the official client that travel as query parameters, not in the body. */
const CLIENT_OPTIONS = new Set(['wait', 'ordering', 'timeout', 'consistency', 'shard_key']);

/** The request body the official client would send: undefined fields and client options dropped. */
function bodyOf(args: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args ?? {})) if (v !== undefined && !CLIENT_OPTIONS.has(k)) out[k] = v;
  return out;
}

/** Writes answer `acknowledged` unless awaited, as Qdrant does; the official client waits by default for most. */
function ack<T extends { status: string }>(result: T, wait: unknown): T {
  return wait === true ? result : { ...result, status: 'acknowledged' };
}

const waitOf = (args: object | undefined, fallback: boolean): unknown =>
  (args as { wait?: unknown } | undefined)?.wait ?? fallback;

/** The clients made by `createLocalQdrantClient`. */
const inProcessClients = new WeakSet<object>();

/**
 * Whether a client is the local engine in process, which takes dense vectors as `Float32Array`s
 * (no copy into a `number[]`); an HTTP client needs plain arrays for JSON.
 */
export function acceptsFloatArrays(client: object): boolean {
  return inProcessClients.has(client);
}

/**
 * Wraps a `LocalQdrant` in the official client's method signatures, so code written for
 * `@qdrant/js-client-rest` runs in process against the local engine (no server, no sockets).
 * Errors are `LocalQdrantError`s carrying the same `status` and `data` an `ApiError` would.
 * @example
 * const client = createLocalQdrantClient(await LocalQdrant.open(':memory:'));
 * await client.createCollection('memories', { vectors: { size: 384, distance: 'Cosine' } });
 */
export function createLocalQdrantClient(engine: LocalQdrant): QdrantClientLike {
  // Each method mirrors the official client's defaults (e.g. `wait` true for upsert, unset for delete).
  const client = {
    getCollections: () => engine.getCollections(),
    getCollection: (name: string) => engine.getCollection(name),
    collectionExists: (name: string) => engine.collectionExists(name),
    createCollection: (name: string, args: Args<'createCollection'>[1]) =>
      engine.createCollection(name, bodyOf(args)),
    deleteCollection: (name: string) => engine.deleteCollection(name),
    updateCollectionAliases: (args: Args<'updateCollectionAliases'>[0]) =>
      engine.updateCollectionAliases(bodyOf(args) as never),
    getCollectionAliases: (name: string) => engine.getCollectionAliases(name),
    getAliases: () => engine.getAliases(),
    createPayloadIndex: async (name: string, args: Args<'createPayloadIndex'>[1]) =>
      ack(await engine.createPayloadIndex(name, bodyOf(args) as never), waitOf(args, false)),
    deletePayloadIndex: async (name: string, field: string, args?: Args<'deletePayloadIndex'>[2]) =>
      ack(await engine.deletePayloadIndex(name, field), waitOf(args, true)),
    upsert: async (name: string, args: Args<'upsert'>[1]) =>
      ack(await engine.upsertPoints(name, bodyOf(args) as never), waitOf(args, true)),
    retrieve: (name: string, args: Args<'retrieve'>[1]) =>
      engine.retrievePoints(name, { with_payload: true, ...bodyOf(args) } as never),
    delete: async (name: string, args: Args<'delete'>[1]) =>
      ack(await engine.deletePoints(name, bodyOf(args) as never), waitOf(args, false)),
    setPayload: async (name: string, args: Args<'setPayload'>[1]) =>
      ack(await engine.setPayload(name, bodyOf(args) as never), waitOf(args, true)),
    overwritePayload: async (name: string, args: Args<'overwritePayload'>[1]) =>
      ack(await engine.overwritePayload(name, bodyOf(args) as never), waitOf(args, true)),
    deletePayload: async (name: string, args: Args<'deletePayload'>[1]) =>
      ack(await engine.deletePayload(name, bodyOf(args) as never), waitOf(args, true)),
    clearPayload: async (name: string, args: Args<'clearPayload'>[1]) =>
      ack(await engine.clearPayload(name, bodyOf(args) as never), waitOf(args, true)),
    batchUpdate: async (name: string, args: Args<'batchUpdate'>[1]) =>
      (await engine.batchUpdate(name, bodyOf(args) as never)).map((r) => ack(r, waitOf(args, true))),
    updateVectors: async (name: string, args: Args<'updateVectors'>[1]) =>
      ack(await engine.updateVectors(name, bodyOf(args) as never), waitOf(args, true)),
    deleteVectors: async (name: string, args: Args<'deleteVectors'>[1]) =>
      ack(await engine.deleteVectors(name, bodyOf(args) as never), waitOf(args, true)),
    scroll: (name: string, args?: Args<'scroll'>[1]) =>
      engine.scrollPoints(name, {
        limit: 10,
        with_payload: true,
        with_vector: false,
        ...bodyOf(args),
      } as never),
    count: (name: string, args?: Args<'count'>[1]) =>
      engine.countPoints(name, { exact: true, ...bodyOf(args) }),
    query: (name: string, args: Args<'query'>[1]) => engine.queryPoints(name, bodyOf(args) as never),
    queryBatch: (name: string, args: Args<'queryBatch'>[1]) =>
      engine.queryBatchPoints(name, bodyOf(args) as never),
    queryGroups: (name: string, args: Args<'queryGroups'>[1]) =>
      engine.queryGroups(name, bodyOf(args) as never),
    updateCollection: (name: string, args?: Args<'updateCollection'>[1]) =>
      engine.updateCollection(name, bodyOf(args) as never),
    createVectorName: async (
      name: string,
      vector: string,
      config: Args<'createVectorName'>[2],
      args?: Args<'createVectorName'>[3],
    ) => ack(await engine.createVectorName(name, vector, config), waitOf(args, true)),
    deleteVectorName: async (name: string, vector: string, args?: Args<'deleteVectorName'>[2]) =>
      ack(await engine.deleteVectorName(name, vector), waitOf(args, true)),
    createSnapshot: (name: string) => engine.createSnapshot(name),
    listSnapshots: (name: string) => engine.listSnapshots(name),
    deleteSnapshot: (name: string, snapshot: string) => engine.deleteSnapshot(name, snapshot),
    recoverSnapshot: (name: string, args: Args<'recoverSnapshot'>[1]) =>
      engine.recoverSnapshot(name, bodyOf(args) as never),
    facet: (name: string, args: Args<'facet'>[1]) => engine.facet(name, bodyOf(args) as never),
    searchMatrixPairs: (name: string, args?: Args<'searchMatrixPairs'>[1]) =>
      engine.searchMatrixPairs(name, bodyOf(args) as never),
    searchMatrixOffsets: (name: string, args?: Args<'searchMatrixOffsets'>[1]) =>
      engine.searchMatrixOffsets(name, bodyOf(args) as never),
  };
  inProcessClients.add(client);
  return client as unknown as { [M in QdrantClientMethod]: (...args: Args<M>) => Result<M> };
}
