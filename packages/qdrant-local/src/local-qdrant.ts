import type { Schemas } from '@qdrant/js-client-rest';
import type { Collection } from './engine/collection.js';
import { checkCollectionName, createCollectionSchema } from './engine/collection-config.js';
import { updatedBody, withoutVectorName, withVectorName } from './engine/collection-update.js';
import { facet } from './engine/facet.js';
import { type GroupsRequest, queryGroups } from './engine/groups.js';
import { type PointId, parsePointId } from './engine/ids.js';
import { matrixOffsets, matrixPairs } from './engine/matrix.js';
import type { Op } from './engine/ops.js';
import { type QueryStage, runQuery } from './engine/query.js';
import { parseWithPayload, parseWithVector, renderRecord, renderScored } from './engine/render.js';
import { count, scroll } from './engine/scroll.js';
import { type SearchRequest, searchStage } from './engine/search-request.js';
import type { EngineState } from './engine/state.js';
import { collectionTelemetry, type EngineTelemetry } from './engine/telemetry.js';
import { parseBody } from './engine/validate.js';
import { badRequest, collectionNotFound, LocalQdrantError, pathValidationError } from './errors.js';
import { aliasOp } from './requests/aliases.js';
import { batchOps } from './requests/batch.js';
import { createOp, parseIndexRequest } from './requests/collections.js';
import { clearPayloadOp, deleteOp, deletePayloadOp, payloadOp, upsertOp } from './requests/points.js';
import {
  aliasesSchema,
  batchSchema,
  checkPaths,
  countSchema,
  deletePayloadSchema,
  querySchema,
  recoverSchema,
  retrieveSchema,
  scrollSchema,
  searchesSchema,
  selectorSchema,
  setPayloadSchema,
} from './requests/schemas.js';
import {
  CollectionSnapshots,
  checkChecksum,
  restoreOps,
  type SnapshotDescription,
} from './storage/collection-snapshots.js';
import { Journal } from './storage/journal.js';
import { decodeSnapshot, encodeSnapshot } from './storage/snapshot.js';

// The REST-shaped facade: one method per Qdrant call, each parsing its body (requests/), reading
// the state (engine/) or handing ops to the journal (storage/journal.ts), which logs and applies them.

type UpdateResult = Schemas['UpdateResult'];
type ScoredPoint = Schemas['ScoredPoint'];

/** Options of `LocalQdrant.open`. */
export interface LocalQdrantOptions {
  /** Log size (bytes) after which the log is folded into a new snapshot. Default 64 MiB. */
  compactAfterBytes?: number;
}

const updated = (operationId: number): UpdateResult => ({ operation_id: operationId, status: 'completed' });

/**
 * An embedded engine with Qdrant 1.19's semantics: collections, points, payloads, filters and the
 * Query API (nearest, prefetch, RRF/DBSF fusion, formula rescoring) with exact brute-force search.
 * Every method takes the JSON body of the matching REST call and returns what Qdrant puts in
 * `result`, so it can back an HTTP server or be used directly in tests and on a laptop.
 * @example
 * const qdrant = await LocalQdrant.open(':memory:');
 * await qdrant.createCollection('memories', { vectors: { size: 384, distance: 'Cosine' } });
 */
export class LocalQdrant {
  private readonly state: EngineState;
  private readonly snapshots: CollectionSnapshots;

  private constructor(private readonly journal: Journal) {
    this.state = journal.state;
    this.snapshots = new CollectionSnapshots(journal.dir);
  }

  /**
   * The error of the last automatic compaction if it failed (null once one succeeds). A failed
   * compaction loses nothing: the log keeps every write and it is retried when the log has grown
   * by another `compactAfterBytes`.
   */
  get compactionError(): Error | null {
    return this.journal.compactionError;
  }

  /**
   * Opens an engine over a data directory (created if missing; snapshot + log replayed), or a
   * purely in-memory one for `':memory:'`. One engine per directory at a time: the directory is
   * locked (`LOCK`, with the holder's pid) until `close()`, and a second open fails with
   * `DataDirectoryLockedError`; the lock of a process that no longer runs is taken over.
   * @example
   * const qdrant = await LocalQdrant.open('.data/qdrant');
   */
  static async open(path: ':memory:' | string, options: LocalQdrantOptions = {}): Promise<LocalQdrant> {
    const compact = options.compactAfterBytes ?? 64 * 1024 * 1024;
    return new LocalQdrant(
      path === ':memory:' ? Journal.inMemory(compact) : await Journal.open(path, compact),
    );
  }

  /**
   * Folds the log into a snapshot (when on disk) and releases the files and the directory lock.
   * Idempotent. The files are released even when the snapshot fails; the error is then rethrown,
   * and nothing is lost: the log still holds every write and is replayed by the next open.
   */
  close(): Promise<void> {
    return this.journal.close();
  }

  /**
   * What the engine reports of itself (served as /telemetry and /metrics): each collection's
   * points, vectors per name, segments, indexes and aliases, the log size and the last compaction.
   */
  telemetry(): EngineTelemetry {
    return {
      collections: [...this.state.collections.values()].map((c) =>
        collectionTelemetry(c, this.state.aliases),
      ),
      ...this.journal.status(),
    };
  }

  /**
   * POST /collections/{name}/snapshots: a snapshot file of one collection (its configuration,
   * indexes and points), taken between writes, kept under `snapshots/<collection>/` of the data
   * directory (in memory for `:memory:`). The local mode's own format, not Qdrant's tar.
   */
  async createSnapshot(name: string): Promise<SnapshotDescription> {
    const { col, bytes } = await this.journal.serialize(async () => {
      const col = this.state.resolve(name);
      const one = new Map([[col.name, col]]);
      return { col, bytes: Buffer.concat(encodeSnapshot({ seq: 0, aliases: new Map(), collections: one })) };
    });
    return this.snapshots.save(col.name, bytes);
  }

  /** GET /collections/{name}/snapshots. */
  async listSnapshots(name: string): Promise<SnapshotDescription[]> {
    return this.snapshots.list(this.state.resolve(name).name);
  }

  /** GET /collections/{name}/snapshots/{snapshot}: the file's bytes. */
  async getSnapshot(name: string, snapshot: string): Promise<Buffer> {
    return this.snapshots.read(this.state.resolve(name).name, snapshot);
  }

  /** DELETE /collections/{name}/snapshots/{snapshot}. */
  async deleteSnapshot(name: string, snapshot: string): Promise<boolean> {
    await this.snapshots.remove(this.state.resolve(name).name, snapshot);
    return true;
  }

  /**
   * PUT /collections/{name}/snapshots/recover: replaces (or creates) the collection with the one
   * in the snapshot at `location` (`file://` inside the snapshots directory, or `http(s)://`),
   * keeping its aliases; `checksum` (SHA-256) is checked first.
   */
  async recoverSnapshot(name: string, body: Schemas['SnapshotRecover']): Promise<boolean> {
    const b = parseBody(recoverSchema, body, 'location');
    return this.recoverFromBytes(name, await this.snapshots.fetch(b.location), b.checksum);
  }

  /** POST /collections/{name}/snapshots/upload: `recoverSnapshot` from the uploaded bytes. */
  async recoverFromBytes(name: string, bytes: Buffer, checksum?: string | null): Promise<boolean> {
    checkChecksum(bytes, checksum);
    let snapshot: Collection;
    try {
      const state = decodeSnapshot(bytes, 'the uploaded file');
      if (state.collections.size !== 1) throw new Error('it holds no single collection');
      snapshot = [...state.collections.values()][0]!;
    } catch (e) {
      throw badRequest(`not a local Qdrant collection snapshot: ${(e as Error).message}`);
    }
    const nameError = checkCollectionName(name);
    if (nameError) throw pathValidationError(`name: ${nameError}`);
    await this.journal.write(() => {
      const target = this.state.aliases.get(name) ?? name;
      return restoreOps(target, snapshot, this.state.collections.has(target), this.state.aliasesOf(target));
    });
    return true;
  }

  /** Writes a snapshot of the current state and empties the log; queued behind writes in flight. */
  compact(): Promise<void> {
    return this.journal.compact();
  }

  /** One write on collection `name` (or an alias of it): its op, or none, logged and applied. */
  private async pointsWrite(name: string, build: (col: Collection) => Op | null): Promise<UpdateResult> {
    let opId = 0;
    const ids = await this.journal.write(() => {
      const col = this.state.resolve(name);
      const op = build(col);
      opId = col.lastOp;
      return op ? [op] : [];
    });
    return updated(ids[0] ?? opId);
  }

  // ---------------------------------------------------------------- collections

  /**
   * Creates a collection (PUT /collections/{name}); 409 when it exists.
   * @example
   * await qdrant.createCollection('docs', { vectors: { dense: { size: 768, distance: 'Dot' } } });
   */
  async createCollection(
    name: string,
    body: Schemas['CreateCollection'] | Record<string, unknown> = {},
  ): Promise<boolean> {
    const nameError = checkCollectionName(name);
    if (nameError) throw pathValidationError(`name: ${nameError}`);
    const parsed = parseBody(createCollectionSchema, body, 'collection');
    await this.journal.write(() => [createOp(this.state, name, parsed)]);
    return true;
  }

  /** PATCH /collections/{name}: HNSW, optimizer, quantization, params, sparse and per-vector settings, metadata. */
  async updateCollection(name: string, body: Schemas['UpdateCollection'] = {}): Promise<boolean> {
    await this.pointsWrite(name, (col) => ({ t: 'reconfig', c: col.name, body: updatedBody(col, body) }));
    return true;
  }

  /** PUT /collections/{name}/vectors/{vector}: adds a dense or sparse vector name (points start without it). */
  async createVectorName(
    name: string,
    vector: string,
    body: Schemas['VectorNameConfig'],
  ): Promise<UpdateResult> {
    return this.pointsWrite(name, (col) => ({
      t: 'reconfig',
      c: col.name,
      body: withVectorName(col, vector, body),
    }));
  }

  /** DELETE /collections/{name}/vectors/{vector}: removes a vector name and every point's vector of it. */
  async deleteVectorName(name: string, vector: string): Promise<UpdateResult> {
    return this.pointsWrite(name, (col) => ({
      t: 'reconfig',
      c: col.name,
      body: withoutVectorName(col, vector),
    }));
  }

  /** Deletes a collection and its aliases (DELETE /collections/{name}); false when there was none. */
  async deleteCollection(name: string): Promise<boolean> {
    let existed = false;
    await this.journal.write(() => {
      existed = this.state.collections.has(name);
      return existed ? [{ t: 'drop', name }] : [];
    });
    return existed;
  }

  /** GET /collections/{name}/exists. */
  async collectionExists(name: string): Promise<Schemas['CollectionExistence']> {
    return { exists: this.state.collections.has(name) };
  }

  /** GET /collections. */
  async getCollections(): Promise<Schemas['CollectionsResponse']> {
    return { collections: [...this.state.collections.keys()].map((name) => ({ name })) };
  }

  /** GET /collections/{name}: status, counts, config and payload schema. */
  async getCollection(name: string): Promise<Schemas['CollectionInfo']> {
    const col = this.state.resolve(name);
    return {
      // Red once the log's tail is unknown (writes refused); yellow while the last automatic
      // compaction failed (the log keeps growing until one succeeds).
      status: this.journal.failed ? 'red' : this.journal.compactionError ? 'yellow' : 'green',
      optimizer_status: this.journal.compactionError ? { error: this.journal.compactionError.message } : 'ok',
      indexed_vectors_count: 0,
      points_count: col.count,
      segments_count: 1,
      config: structuredClone(col.config) as Schemas['CollectionConfig'],
      payload_schema: col.payloadSchema() as Schemas['CollectionInfo']['payload_schema'],
    };
  }

  /** POST /collections/aliases: create/delete/rename, applied all-or-nothing. */
  async updateCollectionAliases(body: Schemas['ChangeAliasesOperation']): Promise<boolean> {
    const { actions } = parseBody(aliasesSchema, body, 'actions');
    await this.journal.write(() => [aliasOp(this.state, actions)]);
    return true;
  }

  /** GET /collections/{name}/aliases. */
  async getCollectionAliases(name: string): Promise<Schemas['CollectionsAliasesResponse']> {
    if (!this.state.collections.has(name)) throw collectionNotFound(name);
    return {
      aliases: [...this.state.aliases]
        .filter(([, c]) => c === name)
        .map(([alias_name, collection_name]) => ({ alias_name, collection_name })),
    };
  }

  /** GET /aliases. */
  async getAliases(): Promise<Schemas['CollectionsAliasesResponse']> {
    return {
      aliases: [...this.state.aliases].map(([alias_name, collection_name]) => ({
        alias_name,
        collection_name,
      })),
    };
  }

  /** PUT /collections/{name}/index: records a payload index (reported in payload_schema, enables full-text matching and order_by). */
  async createPayloadIndex(name: string, body: Schemas['CreateFieldIndex']): Promise<UpdateResult> {
    const { field, spec } = parseIndexRequest(body);
    return this.pointsWrite(name, (col) => ({ t: 'index', c: col.name, field, spec }));
  }

  /** DELETE /collections/{name}/index/{field}. */
  async deletePayloadIndex(name: string, field: string): Promise<UpdateResult> {
    return this.pointsWrite(name, (col) => ({ t: 'unindex', c: col.name, field }));
  }

  // ---------------------------------------------------------------- points

  /** PUT /collections/{name}/points: `points` list or `batch` columns; `update_mode` and `update_filter` honoured. */
  async upsertPoints(name: string, body: Schemas['PointInsertOperations']): Promise<UpdateResult> {
    return this.pointsWrite(name, (col) => upsertOp(col, body, (id) => col.slotOf.has(id)));
  }

  /** POST /collections/{name}/points: records for the ids that exist, in request order. */
  async retrievePoints(name: string, body: Schemas['PointRequest']): Promise<Schemas['Record'][]> {
    const col = this.state.resolve(name);
    const b = parseBody(retrieveSchema, body, 'ids');
    const wp = parseWithPayload(b.with_payload, true);
    const wv = parseWithVector(b.with_vector ?? b.with_vectors);
    const seen = new Set<PointId>();
    const out: Schemas['Record'][] = [];
    for (const raw of b.ids) {
      const id = parsePointId(raw);
      const slot = col.slotOf.get(id);
      if (slot === undefined || seen.has(id)) continue;
      seen.add(id);
      out.push(renderRecord(col, slot, wp, wv) as Schemas['Record']);
    }
    return out;
  }

  /** GET /collections/{name}/points/{id}; 404 when the point does not exist. */
  async getPoint(name: string, id: PointId): Promise<Schemas['Record']> {
    const col = this.state.resolve(name);
    const pid = parsePointId(id);
    const slot = col.slotOf.get(pid);
    if (slot === undefined) throw new LocalQdrantError(404, `Not found: No point with id ${pid} found`);
    return renderRecord(col, slot, { all: true }, true) as Schemas['Record'];
  }

  /** POST /collections/{name}/points/delete: by `points` ids or by `filter`. */
  async deletePoints(name: string, body: Schemas['PointsSelector']): Promise<UpdateResult> {
    const b = parseBody(selectorSchema, body, 'points');
    return this.pointsWrite(name, (col) => deleteOp(col, b, 'points'));
  }

  /** POST /collections/{name}/points/payload: merges keys (at `key` when given). */
  async setPayload(name: string, body: Schemas['SetPayload']): Promise<UpdateResult> {
    const b = checkPaths(parseBody(setPayloadSchema, body, 'payload'));
    return this.pointsWrite(name, (col) =>
      payloadOp(col, b, 'set', 'points', (id) => col.slotOf.has(id), true),
    );
  }

  /** PUT /collections/{name}/points/payload: replaces the whole payload. */
  async overwritePayload(name: string, body: Schemas['SetPayload']): Promise<UpdateResult> {
    const b = checkPaths(parseBody(setPayloadSchema, body, 'payload'));
    return this.pointsWrite(name, (col) =>
      payloadOp(col, b, 'overwrite', 'points', (id) => col.slotOf.has(id), true),
    );
  }

  /** POST /collections/{name}/points/payload/delete: removes keys (nested paths allowed). */
  async deletePayload(name: string, body: Schemas['DeletePayload']): Promise<UpdateResult> {
    const b = checkPaths(parseBody(deletePayloadSchema, body, 'keys'));
    return this.pointsWrite(name, (col) => deletePayloadOp(col, b, 'points', (id) => col.slotOf.has(id)));
  }

  /** POST /collections/{name}/points/payload/clear. */
  async clearPayload(name: string, body: Schemas['PointsSelector']): Promise<UpdateResult> {
    const b = parseBody(selectorSchema, body, 'points');
    return this.pointsWrite(name, (col) => clearPayloadOp(col, b, 'points', (id) => col.slotOf.has(id)));
  }

  /**
   * POST /collections/{name}/points/batch: all operations validated first, then logged and applied
   * as one atomic write. Filters in later operations see the state before the batch.
   */
  async batchUpdate(name: string, body: Schemas['UpdateOperations']): Promise<UpdateResult[]> {
    const { operations } = parseBody(batchSchema, body, 'operations');
    const ids = await this.journal.write(() => batchOps(this.state.resolve(name), operations));
    return ids.map(updated);
  }

  /** PUT /collections/{name}/points/vectors: replaces the given named vectors of existing points. */
  async updateVectors(name: string, body: Schemas['UpdateVectors']): Promise<UpdateResult> {
    const [result] = await this.batchUpdate(name, { operations: [{ update_vectors: body }] });
    return result!;
  }

  /** POST /collections/{name}/points/vectors/delete: removes the named vectors from the selected points. */
  async deleteVectors(name: string, body: Schemas['DeleteVectors']): Promise<UpdateResult> {
    const [result] = await this.batchUpdate(name, { operations: [{ delete_vectors: body }] });
    return result!;
  }

  /** POST /collections/{name}/points/scroll: id order (or `order_by`), `offset` is the first id of the page. */
  async scrollPoints(name: string, body: Schemas['ScrollRequest'] = {}): Promise<Schemas['ScrollResult']> {
    const col = this.state.resolve(name);
    return scroll(col, parseBody(scrollSchema, body, 'scroll'));
  }

  /** POST /collections/{name}/points/count. */
  async countPoints(name: string, body: Schemas['CountRequest'] = {}): Promise<Schemas['CountResult']> {
    const col = this.state.resolve(name);
    return count(col, parseBody(countSchema, body, 'count'));
  }

  /** POST /collections/{name}/points/query: the universal Query API. */
  async queryPoints(name: string, body: Schemas['QueryRequest'] = {}): Promise<Schemas['QueryResponse']> {
    const col = this.state.resolve(name);
    const b = parseBody(querySchema, body, 'query');
    const wp = parseWithPayload(b.with_payload, false);
    const wv = parseWithVector(b.with_vector ?? b.with_vectors);
    const hits = runQuery(col, b as QueryStage, null, true);
    return { points: hits.map((h) => renderScored(col, h, wp, wv) as ScoredPoint) };
  }

  /** POST /collections/{name}/points/query/batch. */
  async queryBatchPoints(
    name: string,
    body: Schemas['QueryRequestBatch'],
  ): Promise<Schemas['QueryResponse'][]> {
    const b = parseBody(searchesSchema, body, 'searches');
    const out: Schemas['QueryResponse'][] = [];
    for (const s of b.searches) out.push(await this.queryPoints(name, s as Schemas['QueryRequest']));
    return out;
  }

  /**
   * POST /collections/{name}/points/search: the pre-Query-API search (`vector` plain or
   * `{name, vector}`), kept for older clients; returns the scored points directly.
   */
  async searchPoints(name: string, body: SearchRequest): Promise<ScoredPoint[]> {
    const col = this.state.resolve(name);
    const { stage, wp, wv } = searchStage(body);
    return runQuery(col, stage, null, true).map((h) => renderScored(col, h, wp, wv) as ScoredPoint);
  }

  /** POST /collections/{name}/points/search/batch. */
  async searchBatchPoints(name: string, body: { searches: SearchRequest[] }): Promise<ScoredPoint[][]> {
    const b = parseBody(searchesSchema, body, 'searches');
    const out: ScoredPoint[][] = [];
    for (const s of b.searches) out.push(await this.searchPoints(name, s as SearchRequest));
    return out;
  }

  /** POST /collections/{name}/points/search/groups: the legacy search, grouped by `group_by`. */
  async searchGroups(name: string, body: SearchRequest & GroupsRequest): Promise<Schemas['GroupsResult']> {
    const col = this.state.resolve(name);
    const { stage } = searchStage({ ...body, limit: 1, offset: 0 });
    return queryGroups(col, body, stage, (n) => this.state.resolve(n));
  }

  /** POST /collections/{name}/points/query/groups: a query's hits grouped by a payload value. */
  async queryGroups(name: string, body: Schemas['QueryGroupsRequest']): Promise<Schemas['GroupsResult']> {
    const col = this.state.resolve(name);
    const b = parseBody(querySchema, { ...body, limit: 1 }, 'query');
    return queryGroups(col, body, b as QueryStage, (n) => this.state.resolve(n));
  }

  /** POST /collections/{name}/facet: counts of each value of an indexed key. */
  async facet(name: string, body: Schemas['FacetRequest']): Promise<Schemas['FacetResponse']> {
    return facet(this.state.resolve(name), body);
  }

  /** POST /collections/{name}/points/search/matrix/pairs: nearest pairs among a random sample. */
  async searchMatrixPairs(
    name: string,
    body: Schemas['SearchMatrixRequest'] = {},
  ): Promise<Schemas['SearchMatrixPairsResponse']> {
    return matrixPairs(this.state.resolve(name), body);
  }

  /** POST /collections/{name}/points/search/matrix/offsets: the same matrix as parallel arrays. */
  async searchMatrixOffsets(
    name: string,
    body: Schemas['SearchMatrixRequest'] = {},
  ): Promise<Schemas['SearchMatrixOffsetsResponse']> {
    return matrixOffsets(this.state.resolve(name), body);
  }
}
