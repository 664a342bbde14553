import { pointIdFromPath } from '../engine/ids.js';
import type { LocalQdrant } from '../local-qdrant.js';
import { uploadedFile } from './multipart.js';

/** What a route handler gets: decoded path parameters, the query string and the parsed JSON body. */
interface RouteInput {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, or the raw bytes (a Buffer) for a route whose `body` is `'raw'`. */
  body: unknown;
  headers: import('node:http').IncomingHttpHeaders;
}

/** A result sent as it is (a snapshot file, Prometheus text) instead of `{result, status, time}`. */
export class RawResponse {
  constructor(
    readonly contentType: string,
    readonly body: string | Buffer,
  ) {}
}

/** A route of Qdrant's REST API: method, path pattern and the engine call that answers it. */
export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  /** The path template, `/collections/{name}/points/query`, as telemetry names the endpoint. */
  path: string;
  pattern: RegExp;
  names: string[];
  /**
   * Whether the endpoint reads a JSON body (a missing one is then a format error, as in Qdrant),
   * or `'raw'` for one that takes the bytes as they are (a snapshot upload).
   */
  body: boolean | 'raw';
  handle(engine: LocalQdrant, input: RouteInput): Promise<unknown>;
}

/** Qdrant reports the version it speaks; the official client compares it with its own. */
export const QDRANT_VERSION = '1.19.0';

/** Turns `/collections/{collection_name}/points` into a matcher with named parameters. */
function route(
  method: Route['method'],
  path: string,
  body: Route['body'],
  handle: (engine: LocalQdrant, input: RouteInput) => Promise<unknown>,
): Route {
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const template = path.replace('{collection_name}', '{name}');
  return { method, path: template, pattern: new RegExp(`^${source}$`), names, body, handle };
}

/** Write endpoints answer `acknowledged` unless the caller asked to `wait`, as Qdrant does. */
const acknowledged = (query: URLSearchParams, result: { operation_id?: number | null; status: string }) =>
  query.get('wait') === 'true' ? result : { ...result, status: 'acknowledged' };

// biome-ignore lint/suspicious/noExplicitAny: request bodies are validated by the engine, not here
type Body = any;

/** The REST paths of Qdrant 1.19 that the local mode serves. */
export const routes: Route[] = [
  route('GET', '/collections', false, (e) => e.getCollections()),
  route('GET', '/aliases', false, (e) => e.getAliases()),
  route('POST', '/collections/aliases', true, (e, { body }) => e.updateCollectionAliases(body as Body)),
  route('PUT', '/collections/{collection_name}', false, (e, { params, body }) =>
    e.createCollection(params.collection_name!, (body ?? {}) as Body),
  ),
  route('PATCH', '/collections/{collection_name}', true, (e, { params, body }) =>
    e.updateCollection(params.collection_name!, body as Body),
  ),
  route(
    'PUT',
    '/collections/{collection_name}/vectors/{vector_name}',
    true,
    async (e, { params, query, body }) =>
      acknowledged(
        query,
        await e.createVectorName(params.collection_name!, params.vector_name!, body as Body),
      ),
  ),
  route(
    'DELETE',
    '/collections/{collection_name}/vectors/{vector_name}',
    false,
    async (e, { params, query }) =>
      acknowledged(query, await e.deleteVectorName(params.collection_name!, params.vector_name!)),
  ),
  route('DELETE', '/collections/{collection_name}', false, (e, { params }) =>
    e.deleteCollection(params.collection_name!),
  ),
  route('GET', '/collections/{collection_name}', false, (e, { params }) =>
    e.getCollection(params.collection_name!),
  ),
  route('GET', '/collections/{collection_name}/exists', false, (e, { params }) =>
    e.collectionExists(params.collection_name!),
  ),
  route('POST', '/collections/{collection_name}/snapshots', false, (e, { params }) =>
    e.createSnapshot(params.collection_name!),
  ),
  route('GET', '/collections/{collection_name}/snapshots', false, (e, { params }) =>
    e.listSnapshots(params.collection_name!),
  ),
  route('PUT', '/collections/{collection_name}/snapshots/recover', true, (e, { params, body }) =>
    e.recoverSnapshot(params.collection_name!, body as Body),
  ),
  route(
    'POST',
    '/collections/{collection_name}/snapshots/upload',
    'raw',
    (e, { params, body, headers, query }) =>
      e.recoverFromBytes(
        params.collection_name!,
        uploadedFile(headers, body as Buffer),
        query.get('checksum'),
      ),
  ),
  route(
    'GET',
    '/collections/{collection_name}/snapshots/{snapshot_name}',
    false,
    async (e, { params }) =>
      new RawResponse(
        'application/octet-stream',
        await e.getSnapshot(params.collection_name!, params.snapshot_name!),
      ),
  ),
  route('DELETE', '/collections/{collection_name}/snapshots/{snapshot_name}', false, (e, { params }) =>
    e.deleteSnapshot(params.collection_name!, params.snapshot_name!),
  ),
  route('GET', '/collections/{collection_name}/aliases', false, (e, { params }) =>
    e.getCollectionAliases(params.collection_name!),
  ),
  route('PUT', '/collections/{collection_name}/index', true, async (e, { params, query, body }) =>
    acknowledged(query, await e.createPayloadIndex(params.collection_name!, body as Body)),
  ),
  route('DELETE', '/collections/{collection_name}/index/{field_name}', false, async (e, { params, query }) =>
    acknowledged(query, await e.deletePayloadIndex(params.collection_name!, params.field_name!)),
  ),
  route('PUT', '/collections/{collection_name}/points', true, async (e, { params, query, body }) =>
    acknowledged(query, await e.upsertPoints(params.collection_name!, body as Body)),
  ),
  route('POST', '/collections/{collection_name}/points', true, (e, { params, body }) =>
    e.retrievePoints(params.collection_name!, body as Body),
  ),
  route('GET', '/collections/{collection_name}/points/{id}', false, (e, { params }) =>
    e.getPoint(params.collection_name!, pointIdFromPath(params.id!)),
  ),
  route('POST', '/collections/{collection_name}/points/delete', true, async (e, { params, query, body }) =>
    acknowledged(query, await e.deletePoints(params.collection_name!, body as Body)),
  ),
  route('POST', '/collections/{collection_name}/points/payload', true, async (e, { params, query, body }) =>
    acknowledged(query, await e.setPayload(params.collection_name!, body as Body)),
  ),
  route('PUT', '/collections/{collection_name}/points/payload', true, async (e, { params, query, body }) =>
    acknowledged(query, await e.overwritePayload(params.collection_name!, body as Body)),
  ),
  route(
    'POST',
    '/collections/{collection_name}/points/payload/delete',
    true,
    async (e, { params, query, body }) =>
      acknowledged(query, await e.deletePayload(params.collection_name!, body as Body)),
  ),
  route(
    'POST',
    '/collections/{collection_name}/points/payload/clear',
    true,
    async (e, { params, query, body }) =>
      acknowledged(query, await e.clearPayload(params.collection_name!, body as Body)),
  ),
  route('POST', '/collections/{collection_name}/points/batch', true, async (e, { params, query, body }) =>
    (await e.batchUpdate(params.collection_name!, body as Body)).map((r) => acknowledged(query, r)),
  ),
  route('PUT', '/collections/{collection_name}/points/vectors', true, async (e, { params, query, body }) =>
    acknowledged(query, await e.updateVectors(params.collection_name!, body as Body)),
  ),
  route(
    'POST',
    '/collections/{collection_name}/points/vectors/delete',
    true,
    async (e, { params, query, body }) =>
      acknowledged(query, await e.deleteVectors(params.collection_name!, body as Body)),
  ),
  route('POST', '/collections/{collection_name}/points/scroll', true, (e, { params, body }) =>
    e.scrollPoints(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/count', true, (e, { params, body }) =>
    e.countPoints(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/query', true, (e, { params, body }) =>
    e.queryPoints(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/query/batch', true, (e, { params, body }) =>
    e.queryBatchPoints(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/search', true, (e, { params, body }) =>
    e.searchPoints(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/search/batch', true, (e, { params, body }) =>
    e.searchBatchPoints(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/search/groups', true, (e, { params, body }) =>
    e.searchGroups(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/query/groups', true, (e, { params, body }) =>
    e.queryGroups(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/facet', true, (e, { params, body }) =>
    e.facet(params.collection_name!, body as Body),
  ),
  route('POST', '/collections/{collection_name}/points/search/matrix/pairs', false, (e, { params, body }) =>
    e.searchMatrixPairs(params.collection_name!, (body ?? {}) as Body),
  ),
  route('POST', '/collections/{collection_name}/points/search/matrix/offsets', false, (e, { params, body }) =>
    e.searchMatrixOffsets(params.collection_name!, (body ?? {}) as Body),
  ),
];
