import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import { Collection, type PreparedPoint, type SparseVector } from './engine/collection.js';
import { updatedBody, withoutVectorName, withVectorName } from './engine/collection-update.js';
import { checkCollectionName, createCollectionSchema, createIndexSchema } from './engine/config.js';
import { facet } from './engine/facet.js';
import { type GroupsRequest, queryGroups } from './engine/groups.js';
import { comparePointIds, type PointId, parsePointId } from './engine/ids.js';
import { cloneJson, type Payload, parsePath } from './engine/json-path.js';
import { matrixOffsets, matrixPairs } from './engine/matrix.js';
import { decodeOp, encodeOp, type Op } from './engine/ops.js';
import { checkDense, isFloatArray, type QueryStage, runQuery, storeFor } from './engine/query.js';
import { parseWithPayload, parseWithVector, renderRecord, renderScored } from './engine/render.js';
import { type SearchRequest, searchStage } from './engine/search-request.js';
import { parseSparse } from './engine/sparse-index.js';
import { collectionTelemetry, type EngineTelemetry } from './engine/telemetry.js';
import { parseBody, requestCount } from './engine/validate.js';
import {
  badRequest,
  collectionNotFound,
  formatError,
  LocalQdrantError,
  pathValidationError,
  validationError,
  wrongInput,
} from './errors.js';
import { compileFilter } from './filter/compile.js';
import {
  CollectionSnapshots,
  checkChecksum,
  restoreOps,
  type SnapshotDescription,
} from './storage/collection-snapshots.js';
import { type DirectoryLock, lockDirectory } from './storage/lock.js';
import { decodeSnapshot, encodeSnapshot, readSnapshot, writeSnapshot } from './storage/snapshot.js';
import { WalAppendError, WriteAheadLog } from './storage/wal.js';

type UpdateResult = Schemas['UpdateResult'];
type ScoredPoint = Schemas['ScoredPoint'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Options of `LocalQdrant.open`. */
export interface LocalQdrantOptions {
  /** Log size (bytes) after which the log is folded into a new snapshot. Default 64 MiB. */
  compactAfterBytes?: number;
}

/** Parses payload paths at the boundary: ops are logged before they are applied, so they must not fail later. */
const checkPaths = <T extends { key?: string | null; keys?: string[] }>(b: T): T => {
  if (b.key) parsePath(b.key);
  for (const k of b.keys ?? []) parsePath(k);
  return b;
};

const selectorSchema = z.looseObject({
  points: z.array(z.unknown()).nullish(),
  filter: z.unknown().optional(),
});
const setPayloadSchema = z.looseObject({
  payload: z.record(z.string(), z.unknown()),
  points: z.array(z.unknown()).nullish(),
  filter: z.unknown().optional(),
  key: z.string().nullish(),
});
const deletePayloadSchema = z.looseObject({
  keys: z.array(z.string()),
  points: z.array(z.unknown()).nullish(),
  filter: z.unknown().optional(),
});
const upsertSchema = z.looseObject({
  points: z
    .array(z.looseObject({ id: z.unknown(), vector: z.unknown(), payload: z.unknown().optional() }))
    .optional(),
  batch: z
    .looseObject({
      ids: z.array(z.unknown()),
      vectors: z.unknown(),
      payloads: z.array(z.unknown()).nullish(),
    })
    .optional(),
  update_mode: z.enum(['upsert', 'insert_only', 'update_only']).nullish(),
  update_filter: z.unknown().optional(),
});
const retrieveSchema = z.looseObject({
  ids: z.array(z.unknown()),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
});
const scrollSchema = z.looseObject({
  offset: z.unknown().optional(),
  limit: requestCount(1).nullish(),
  filter: z.unknown().optional(),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
  order_by: z.unknown().optional(),
});
const countSchema = z.looseObject({ filter: z.unknown().optional(), exact: z.boolean().nullish() });
const querySchema = z.looseObject({
  limit: requestCount(1).nullish(),
  offset: requestCount(0).nullish(),
  score_threshold: z.number().nullish(),
  using: z.string().nullish(),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
});
const aliasesSchema = z.object({
  actions: z.array(
    z.union([
      z.object({ create_alias: z.object({ collection_name: z.string(), alias_name: z.string() }) }),
      z.object({ delete_alias: z.object({ alias_name: z.string() }) }),
      z.object({ rename_alias: z.object({ old_alias_name: z.string(), new_alias_name: z.string() }) }),
    ]),
  ),
});
const batchSchema = z.object({ operations: z.array(z.record(z.string(), z.unknown())) });

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
  private collections = new Map<string, Collection>();
  private aliases = new Map<string, string>();
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set when the log's tail is unknown after a failed append: every later write is refused. */
  private failure: LocalQdrantError | null = null;
  /** Log size at which the next automatic compaction runs; pushed out when one fails. */
  private compactAt: number;
  private lastCompactionError: Error | null = null;
  private lastCompactionAt: number | null = null;
  /** Size of `snapshot.bin`, read at open and after each compaction. */
  private snapshotBytes = 0;
  private readonly snapshots: CollectionSnapshots;

  private constructor(
    private readonly dir: string | null,
    private wal: WriteAheadLog | null,
    private readonly compactAfterBytes: number,
    private readonly lock: DirectoryLock | null,
  ) {
    this.compactAt = compactAfterBytes;
    this.snapshots = new CollectionSnapshots(dir);
  }

  /**
   * The error of the last automatic compaction if it failed (null once one succeeds). A failed
   * compaction loses nothing: the log keeps every write and it is retried when the log has grown
   * by another `compactAfterBytes`.
   */
  get compactionError(): Error | null {
    return this.lastCompactionError;
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
    if (path === ':memory:') return new LocalQdrant(null, null, compact, null);
    await mkdir(path, { recursive: true });
    const lock = await lockDirectory(path);
    let state: Awaited<ReturnType<typeof readSnapshot>>;
    let opened: Awaited<ReturnType<typeof WriteAheadLog.open>>;
    try {
      state = await readSnapshot(path);
      opened = await WriteAheadLog.open(`${path}/wal.log`);
    } catch (e) {
      await lock.release();
      throw e;
    }
    const { wal, records } = opened;
    const engine = new LocalQdrant(path, wal, compact, lock);
    engine.collections = state.collections;
    engine.aliases = state.aliases;
    engine.seq = state.seq;
    // The snapshot on disk is the last compaction (of this or an earlier process).
    const snapshot = await stat(join(path, 'snapshot.bin')).catch(() => null);
    if (snapshot) {
      engine.snapshotBytes = snapshot.size;
      engine.lastCompactionAt = snapshot.mtimeMs;
    }
    for (const r of records) {
      const rec = r as { seq: number; ops: unknown[] };
      // Records already folded into the snapshot (crash between rename and log reset) are skipped.
      if (rec.seq <= engine.seq) continue;
      for (const op of rec.ops) engine.apply(decodeOp(op));
      engine.seq = rec.seq;
    }
    return engine;
  }

  /**
   * Folds the log into a snapshot (when on disk) and releases the files and the directory lock.
   * Idempotent. The files are released even when the snapshot fails; the error is then rethrown,
   * and nothing is lost: the log still holds every write and is replayed by the next open.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serialize(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        if (this.wal && this.wal.bytes > 0) await this.compactNow();
      } finally {
        try {
          await this.wal?.close();
        } finally {
          await this.lock?.release();
        }
      }
    });
  }

  /**
   * What the engine reports of itself (served as /telemetry and /metrics): each collection's
   * points, vectors per name, segments, indexes and aliases, the log size and the last compaction.
   */
  telemetry(): EngineTelemetry {
    return {
      collections: [...this.collections.values()].map((c) => collectionTelemetry(c, this.aliases)),
      walBytes: this.wal?.bytes ?? 0,
      snapshotBytes: this.snapshotBytes,
      lastCompactionAt: this.lastCompactionAt,
      compactionError: this.lastCompactionError?.message ?? null,
    };
  }

  /**
   * POST /collections/{name}/snapshots: a snapshot file of one collection (its configuration,
   * indexes and points), taken between writes, kept under `snapshots/<collection>/` of the data
   * directory (in memory for `:memory:`). The local mode's own format, not Qdrant's tar.
   */
  async createSnapshot(name: string): Promise<SnapshotDescription> {
    const { col, bytes } = await this.serialize(async () => {
      const col = this.resolve(name);
      const one = new Map([[col.name, col]]);
      return { col, bytes: Buffer.concat(encodeSnapshot({ seq: 0, aliases: new Map(), collections: one })) };
    });
    return this.snapshots.save(col.name, bytes);
  }

  /** GET /collections/{name}/snapshots. */
  async listSnapshots(name: string): Promise<SnapshotDescription[]> {
    return this.snapshots.list(this.resolve(name).name);
  }

  /** GET /collections/{name}/snapshots/{snapshot}: the file's bytes. */
  async getSnapshot(name: string, snapshot: string): Promise<Buffer> {
    return this.snapshots.read(this.resolve(name).name, snapshot);
  }

  /** DELETE /collections/{name}/snapshots/{snapshot}. */
  async deleteSnapshot(name: string, snapshot: string): Promise<boolean> {
    await this.snapshots.remove(this.resolve(name).name, snapshot);
    return true;
  }

  /**
   * PUT /collections/{name}/snapshots/recover: replaces (or creates) the collection with the one
   * in the snapshot at `location` (`file://` inside the snapshots directory, or `http(s)://`),
   * keeping its aliases; `checksum` (SHA-256) is checked first.
   */
  async recoverSnapshot(name: string, body: Schemas['SnapshotRecover']): Promise<boolean> {
    const b = parseBody(
      z.looseObject({ location: z.string(), checksum: z.string().nullish() }),
      body,
      'location',
    );
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
    await this.write(() => {
      const target = this.aliases.get(name) ?? name;
      const aliases = [...this.aliases].filter(([, c]) => c === target).map(([a]) => a);
      return restoreOps(target, snapshot, this.collections.has(target), aliases);
    });
    return true;
  }

  /** Writes a snapshot of the current state and empties the log; queued behind writes in flight. */
  async compact(): Promise<void> {
    await this.serialize(() => this.compactNow());
  }

  private async compactNow(): Promise<void> {
    if (!this.wal || !this.dir) return;
    await writeSnapshot(this.dir, { seq: this.seq, aliases: this.aliases, collections: this.collections });
    await this.wal.reset();
    this.snapshotBytes = (await stat(join(this.dir, 'snapshot.bin')).catch(() => null))?.size ?? 0;
    this.lastCompactionAt = Date.now();
    this.lastCompactionError = null;
    this.compactAt = this.compactAfterBytes;
  }

  // ---------------------------------------------------------------- internals

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Builds ops under the write lock, makes them durable, then applies them; returns each op's operation id. */
  private write(build: () => Op[]): Promise<number[]> {
    return this.serialize(async () => {
      if (this.closed)
        throw new LocalQdrantError(503, 'Service unavailable: the local Qdrant engine is closed');
      if (this.failure) throw this.failure;
      const ops = build();
      if (ops.length === 0) return [];
      const seq = this.seq + 1;
      if (this.wal) await this.log(this.wal, { seq, ops: ops.map(encodeOp) });
      this.seq = seq;
      const ids = ops.map((op) => this.apply(op));
      // The write is durable and applied: a failing snapshot must not turn it into an error.
      if (this.wal && this.wal.bytes > this.compactAt) await this.compactAfterWrite();
      return ids;
    });
  }

  /**
   * Makes one record durable. A failed append that was cut back off the log rejects only this
   * request (nothing was applied); one whose cut-back failed too leaves an unknown tail, so the
   * engine refuses every later write until it is reopened (which drops a torn tail).
   */
  private async log(wal: WriteAheadLog, record: unknown): Promise<void> {
    try {
      await wal.append(record);
    } catch (e) {
      if (!(e instanceof WalAppendError)) throw e;
      if (e.rolledBack) throw new LocalQdrantError(500, `Service internal error: ${e.message}`, { cause: e });
      this.failure = new LocalQdrantError(
        503,
        `Service unavailable: the local Qdrant engine stopped accepting writes: ${e.message}; reopen ${this.dir}`,
        { cause: e },
      );
      throw this.failure;
    }
  }

  /** The automatic compaction of `write`: errors are recorded and the next try waits for more log. */
  private async compactAfterWrite(): Promise<void> {
    try {
      await this.compactNow();
    } catch (e) {
      this.lastCompactionError = e instanceof Error ? e : new Error(String(e));
      this.compactAt = (this.wal?.bytes ?? 0) + this.compactAfterBytes;
    }
  }

  private apply(op: Op): number {
    switch (op.t) {
      case 'create':
        this.collections.set(op.name, new Collection(op.name, op.body));
        return 0;
      case 'drop':
        this.collections.delete(op.name);
        for (const [alias, target] of this.aliases) if (target === op.name) this.aliases.delete(alias);
        return 0;
      case 'alias':
        for (const a of op.actions) {
          if ('set' in a) this.aliases.set(a.set[0], a.set[1]);
          else this.aliases.delete(a.del);
        }
        return 0;
      default:
        break;
    }
    const col = this.collections.get(op.c);
    if (!col) return 0;
    const version = ++col.lastOp;
    switch (op.t) {
      case 'reconfig':
        col.reconfigure(op.body);
        break;
      case 'index':
        col.createIndex(op.field, op.spec);
        break;
      case 'unindex':
        col.dropIndex(op.field);
        break;
      case 'upsert':
        col.upsert(op.points, version);
        break;
      case 'delete':
        col.delete(op.ids);
        break;
      case 'set':
        col.setPayload(op.ids, op.payload, op.key, version);
        break;
      case 'overwrite':
        col.overwritePayload(op.ids, op.payload, version);
        break;
      case 'delpay':
        col.deletePayload(op.ids, op.keys, version);
        break;
      case 'clear':
        col.clearPayload(op.ids, version);
        break;
      case 'updvec':
        col.updateVectors(op.points, version);
        break;
      case 'delvec':
        col.deleteVectors(op.ids, op.names, version);
        break;
    }
    return version;
  }

  private resolve(name: string): Collection {
    const col = this.collections.get(this.aliases.get(name) ?? name);
    if (!col) {
      // Qdrant validates the path before looking the name up: a name it could never hold is a 422.
      const nameError = checkCollectionName(name);
      throw nameError ? pathValidationError(`name: ${nameError}`) : collectionNotFound(name);
    }
    return col;
  }

  private static updated(operationId: number): UpdateResult {
    return { operation_id: operationId, status: 'completed' };
  }

  private selectIds(
    col: Collection,
    body: { points?: unknown[] | null; filter?: unknown },
    what: string,
    mustExist: (id: PointId) => boolean,
  ): PointId[] {
    if (Array.isArray(body.points)) {
      const ids = body.points.map(parsePointId);
      for (const id of ids)
        if (!mustExist(id)) throw new LocalQdrantError(404, `Not found: No point with id ${id} found`);
      return ids;
    }
    if (body.filter !== undefined && body.filter !== null) {
      const pred = compileFilter(body.filter, col.filterContext);
      return col
        .slotsInIdOrder([body.filter])
        .filter((s) => pred(col.view(s)))
        .map((s) => col.ids[s]!);
    }
    throw validationError(`${what}: Either list of point ids or filter must be provided`);
  }

  private preparePoint(
    col: Collection,
    id: unknown,
    vector: unknown,
    payload: unknown,
    where: string,
  ): PreparedPoint {
    const pid = parsePointId(id);
    if (payload !== undefined && payload !== null && !isObject(payload))
      throw formatError(`${where}.payload: expected an object`);
    const vectors: Record<string, Float32Array> = {};
    let sparse: Record<string, SparseVector> | undefined;
    const multi = Array.isArray(vector) ? col.multi.get('') : undefined;
    if (Array.isArray(vector) && multi) {
      vectors[''] = multi.prepare(vector, `${where}.vector`, false);
    } else if (Array.isArray(vector) || isFloatArray(vector)) {
      const store = storeFor(col, '');
      vectors[''] = store.prepare(checkDense(vector, store, `${where}.vector`));
    } else if (isObject(vector)) {
      for (const [name, v] of Object.entries(vector)) {
        if (col.sparseNames.has(name)) {
          if (!isObject(v))
            throw formatError(
              `${where}.vector.${name}: \`${name}\` is a sparse vector: expected {indices, values}`,
            );
          sparse ??= {};
          sparse[name] = parseSparse(v, `${where}.vector.?`);
          continue;
        }
        if (isObject(v) && 'indices' in v)
          throw wrongInput(
            col.dense.has(name)
              ? 'Conversion between sparse and regular vectors failed'
              : `Not existing vector name error: ${name}`,
          );
        const multiStore = col.multi.get(name);
        if (multiStore) {
          vectors[name] = multiStore.prepare(v, `${where}.vector.${name}`, false);
          continue;
        }
        const store = storeFor(col, name);
        vectors[name] = store.prepare(checkDense(v, store, `${where}.vector.${name}`));
      }
    } else {
      throw formatError(`${where}.vector: expected a vector or a map of named vectors`);
    }
    return {
      id: pid,
      vectors,
      payload: isObject(payload) ? cloneJson(payload) : {},
      ...(sparse ? { sparse } : {}),
    };
  }

  private buildUpsert(col: Collection, body: unknown, exists: (id: PointId) => boolean): Op | null {
    const b = parseBody(upsertSchema, body, 'upsert');
    const points: PreparedPoint[] = [];
    if (b.points) {
      b.points.forEach((p, i) => {
        points.push(this.preparePoint(col, p.id, p.vector, p.payload, `points[${i}]`));
      });
    } else if (b.batch) {
      const { ids, vectors, payloads } = b.batch;
      const at = (i: number): unknown => {
        if (Array.isArray(vectors)) return vectors[i];
        if (isObject(vectors)) {
          const named: Record<string, unknown> = {};
          for (const [name, list] of Object.entries(vectors)) {
            if (!Array.isArray(list) || list.length !== ids.length) {
              throw wrongInput(`batch.vectors.${name}: expected ${ids.length} vectors, one per id`);
            }
            named[name] = list[i];
          }
          return named;
        }
        throw formatError('batch.vectors: expected a list of vectors or a map of named vector lists');
      };
      if (Array.isArray(vectors) && vectors.length !== ids.length) {
        throw wrongInput(
          `batch: number of ids (${ids.length}) and vectors (${vectors.length}) must be equal`,
        );
      }
      if (payloads && payloads.length !== ids.length) {
        throw wrongInput(
          `batch: number of ids (${ids.length}) and payloads (${payloads.length}) must be equal`,
        );
      }
      ids.forEach((id, i) => {
        points.push(this.preparePoint(col, id, at(i), payloads?.[i], `batch[${i}]`));
      });
    } else {
      throw formatError(
        'data did not match any variant of untagged enum PointInsertOperations: expected `points` or `batch`',
      );
    }
    const mode = b.update_mode ?? 'upsert';
    const updateFilter =
      b.update_filter === undefined || b.update_filter === null
        ? null
        : compileFilter(b.update_filter, col.filterContext);
    const kept = points.filter((p) => {
      const existed = exists(p.id);
      if (mode === 'insert_only') return !existed;
      if (mode === 'update_only' && !existed) return false;
      if (existed && updateFilter) {
        const slot = col.slotOf.get(p.id);
        return slot !== undefined && updateFilter(col.view(slot));
      }
      return true;
    });
    return kept.length ? { t: 'upsert', c: col.name, points: kept } : null;
  }

  private async pointsWrite(name: string, build: (col: Collection) => Op | null): Promise<UpdateResult> {
    let opId = 0;
    const ids = await this.write(() => {
      const col = this.resolve(name);
      const op = build(col);
      opId = col.lastOp;
      return op ? [op] : [];
    });
    return LocalQdrant.updated(ids[0] ?? opId);
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
    await this.write(() => {
      if (this.collections.has(name)) throw wrongInputConflict(`Collection \`${name}\` already exists!`);
      if (this.aliases.has(name))
        throw wrongInput(
          `Can't create collection with name ${name}. Alias with the same name already exists`,
        );
      return [{ t: 'create', name, body: parsed }];
    });
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
    await this.write(() => {
      existed = this.collections.has(name);
      return existed ? [{ t: 'drop', name }] : [];
    });
    return existed;
  }

  /** GET /collections/{name}/exists. */
  async collectionExists(name: string): Promise<Schemas['CollectionExistence']> {
    return { exists: this.collections.has(name) };
  }

  /** GET /collections. */
  async getCollections(): Promise<Schemas['CollectionsResponse']> {
    return { collections: [...this.collections.keys()].map((name) => ({ name })) };
  }

  /** GET /collections/{name}: status, counts, config and payload schema. */
  async getCollection(name: string): Promise<Schemas['CollectionInfo']> {
    const col = this.resolve(name);
    return {
      // Red once the log's tail is unknown (writes refused); yellow while the last automatic
      // compaction failed (the log keeps growing until one succeeds).
      status: this.failure ? 'red' : this.lastCompactionError ? 'yellow' : 'green',
      optimizer_status: this.lastCompactionError ? { error: this.lastCompactionError.message } : 'ok',
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
    await this.write(() => {
      const next = new Map(this.aliases);
      const out: Array<{ set: [string, string] } | { del: string }> = [];
      for (const a of actions) {
        if ('create_alias' in a) {
          const { alias_name, collection_name } = a.create_alias;
          if (!this.collections.has(collection_name)) throw collectionNotFound(collection_name);
          if (this.collections.has(alias_name))
            throw wrongInputConflict(
              `Can't create alias with name ${alias_name}. Collection with the same name already exists`,
            );
          next.set(alias_name, collection_name);
          out.push({ set: [alias_name, collection_name] });
        } else if ('delete_alias' in a) {
          if (!next.has(a.delete_alias.alias_name))
            throw new LocalQdrantError(
              404,
              `Not found: Alias \`${a.delete_alias.alias_name}\` doesn't exist!`,
            );
          next.delete(a.delete_alias.alias_name);
          out.push({ del: a.delete_alias.alias_name });
        } else {
          const { old_alias_name, new_alias_name } = a.rename_alias;
          const target = next.get(old_alias_name);
          if (target === undefined)
            throw new LocalQdrantError(404, `Not found: Alias \`${old_alias_name}\` doesn't exist!`);
          next.delete(old_alias_name);
          next.set(new_alias_name, target);
          out.push({ del: old_alias_name }, { set: [new_alias_name, target] });
        }
      }
      return [{ t: 'alias', actions: out }];
    });
    return true;
  }

  /** GET /collections/{name}/aliases. */
  async getCollectionAliases(name: string): Promise<Schemas['CollectionsAliasesResponse']> {
    if (!this.collections.has(name)) throw collectionNotFound(name);
    return {
      aliases: [...this.aliases]
        .filter(([, c]) => c === name)
        .map(([alias_name, collection_name]) => ({ alias_name, collection_name })),
    };
  }

  /** GET /aliases. */
  async getAliases(): Promise<Schemas['CollectionsAliasesResponse']> {
    return {
      aliases: [...this.aliases].map(([alias_name, collection_name]) => ({ alias_name, collection_name })),
    };
  }

  /** PUT /collections/{name}/index: records a payload index (reported in payload_schema, enables full-text matching and order_by). */
  async createPayloadIndex(name: string, body: Schemas['CreateFieldIndex']): Promise<UpdateResult> {
    const b = parseBody(createIndexSchema, body, 'field_schema');
    parsePath(b.field_name);
    if (b.field_schema === undefined || b.field_schema === null) {
      throw badRequest(`Payload field schema must be specified for field \`${b.field_name}\``);
    }
    const schema = b.field_schema;
    const spec =
      typeof schema === 'string'
        ? { data_type: schema }
        : { data_type: schema.type, params: structuredClone(schema) as Record<string, unknown> };
    return this.pointsWrite(name, (col) => ({ t: 'index', c: col.name, field: b.field_name, spec }));
  }

  /** DELETE /collections/{name}/index/{field}. */
  async deletePayloadIndex(name: string, field: string): Promise<UpdateResult> {
    return this.pointsWrite(name, (col) => ({ t: 'unindex', c: col.name, field }));
  }

  // ---------------------------------------------------------------- points

  /** PUT /collections/{name}/points: `points` list or `batch` columns; `update_mode` and `update_filter` honoured. */
  async upsertPoints(name: string, body: Schemas['PointInsertOperations']): Promise<UpdateResult> {
    return this.pointsWrite(name, (col) => this.buildUpsert(col, body, (id) => col.slotOf.has(id)));
  }

  /** POST /collections/{name}/points: records for the ids that exist, in request order. */
  async retrievePoints(name: string, body: Schemas['PointRequest']): Promise<Schemas['Record'][]> {
    const col = this.resolve(name);
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
    const col = this.resolve(name);
    const pid = parsePointId(id);
    const slot = col.slotOf.get(pid);
    if (slot === undefined) throw new LocalQdrantError(404, `Not found: No point with id ${pid} found`);
    return renderRecord(col, slot, { all: true }, true) as Schemas['Record'];
  }

  /** POST /collections/{name}/points/delete: by `points` ids or by `filter`. */
  async deletePoints(name: string, body: Schemas['PointsSelector']): Promise<UpdateResult> {
    const b = parseBody(selectorSchema, body, 'points');
    return this.pointsWrite(name, (col) => ({
      t: 'delete',
      c: col.name,
      ids: this.selectIds(col, b, 'points', () => true),
    }));
  }

  /** POST /collections/{name}/points/payload: merges keys (at `key` when given). */
  async setPayload(name: string, body: Schemas['SetPayload']): Promise<UpdateResult> {
    const b = checkPaths(parseBody(setPayloadSchema, body, 'payload'));
    return this.pointsWrite(name, (col) => ({
      t: 'set',
      c: col.name,
      ids: this.selectIds(col, b, 'points', (id) => col.slotOf.has(id)),
      payload: cloneJson(b.payload) as Payload,
      ...(b.key ? { key: b.key } : {}),
    }));
  }

  /** PUT /collections/{name}/points/payload: replaces the whole payload. */
  async overwritePayload(name: string, body: Schemas['SetPayload']): Promise<UpdateResult> {
    const b = checkPaths(parseBody(setPayloadSchema, body, 'payload'));
    return this.pointsWrite(name, (col) => ({
      t: 'overwrite',
      c: col.name,
      ids: this.selectIds(col, b, 'points', (id) => col.slotOf.has(id)),
      payload: cloneJson(b.payload) as Payload,
    }));
  }

  /** POST /collections/{name}/points/payload/delete: removes keys (nested paths allowed). */
  async deletePayload(name: string, body: Schemas['DeletePayload']): Promise<UpdateResult> {
    const b = checkPaths(parseBody(deletePayloadSchema, body, 'keys'));
    return this.pointsWrite(name, (col) => ({
      t: 'delpay',
      c: col.name,
      ids: this.selectIds(col, b, 'points', (id) => col.slotOf.has(id)),
      keys: b.keys,
    }));
  }

  /** POST /collections/{name}/points/payload/clear. */
  async clearPayload(name: string, body: Schemas['PointsSelector']): Promise<UpdateResult> {
    const b = parseBody(selectorSchema, body, 'points');
    return this.pointsWrite(name, (col) => ({
      t: 'clear',
      c: col.name,
      ids: this.selectIds(col, b, 'points', (id) => col.slotOf.has(id)),
    }));
  }

  /**
   * POST /collections/{name}/points/batch: all operations validated first, then logged and applied
   * as one atomic write. Filters in later operations see the state before the batch.
   */
  async batchUpdate(name: string, body: Schemas['UpdateOperations']): Promise<UpdateResult[]> {
    const { operations } = parseBody(batchSchema, body, 'operations');
    const ids = await this.write(() => {
      const col = this.resolve(name);
      const overlay = new Map<PointId, boolean>();
      const exists = (id: PointId) => overlay.get(id) ?? col.slotOf.has(id);
      const ops: Op[] = [];
      operations.forEach((operation, i) => {
        const [kind, arg] = Object.entries(operation)[0] ?? [];
        const a = (isObject(arg) ? arg : {}) as Record<string, unknown>;
        let op: Op | null;
        switch (kind) {
          case 'upsert':
            op = this.buildUpsert(col, a, exists);
            for (const p of op?.t === 'upsert' ? op.points : []) overlay.set(p.id, true);
            break;
          case 'delete':
            op = {
              t: 'delete',
              c: col.name,
              ids: this.selectIds(col, parseBody(selectorSchema, a, 'delete'), 'delete', () => true),
            };
            for (const id of op.ids) overlay.set(id, false);
            break;
          case 'set_payload':
          case 'overwrite_payload': {
            const b = checkPaths(parseBody(setPayloadSchema, a, kind));
            const sel = this.selectIds(col, b, kind, exists);
            op =
              kind === 'set_payload'
                ? {
                    t: 'set',
                    c: col.name,
                    ids: sel,
                    payload: b.payload as Payload,
                    ...(b.key ? { key: b.key } : {}),
                  }
                : { t: 'overwrite', c: col.name, ids: sel, payload: b.payload as Payload };
            break;
          }
          case 'delete_payload': {
            const b = checkPaths(parseBody(deletePayloadSchema, a, kind));
            op = { t: 'delpay', c: col.name, ids: this.selectIds(col, b, kind, exists), keys: b.keys };
            break;
          }
          case 'clear_payload':
            op = {
              t: 'clear',
              c: col.name,
              ids: this.selectIds(col, parseBody(selectorSchema, a, kind), kind, exists),
            };
            break;
          case 'update_vectors': {
            const pts = Array.isArray(a.points) ? a.points : [];
            // `update_filter`: only the points that match it now are updated (the rest are left as they are).
            const onlyIf =
              a.update_filter === undefined || a.update_filter === null
                ? null
                : compileFilter(a.update_filter, col.filterContext, 'update_filter');
            const where = operations.length === 1 ? 'points' : `operations[${i}].update_vectors.points`;
            const points = pts.map((p, j) => {
              const pp = isObject(p) ? p : {};
              const vector = pp.vector ?? pp.vectors;
              if (isObject(vector) && Object.keys(vector).length === 0)
                throw validationError(`${where}[${j}].vector: must specify vectors to update for point`);
              const prepared = this.preparePoint(col, pp.id, vector, {}, `${where}[${j}]`);
              if (!exists(prepared.id))
                throw new LocalQdrantError(404, `Not found: No point with id ${prepared.id} found`);
              return {
                id: prepared.id,
                vectors: prepared.vectors,
                ...(prepared.sparse ? { sparse: prepared.sparse } : {}),
              };
            });
            op = {
              t: 'updvec',
              c: col.name,
              points: onlyIf
                ? points.filter((p) => {
                    const slot = col.slotOf.get(p.id);
                    return slot !== undefined && onlyIf(col.view(slot));
                  })
                : points,
            };
            break;
          }
          case 'delete_vectors': {
            const names = Array.isArray(a.vector) ? a.vector.map(String) : [];
            for (const n of names)
              if (!col.dense.has(n) && !col.multi.has(n) && !col.sparseNames.has(n))
                throw wrongInput(`Not existing vector name error: ${n}`);
            op = {
              t: 'delvec',
              c: col.name,
              ids: this.selectIds(col, parseBody(selectorSchema, a, kind), kind, exists),
              names,
            };
            break;
          }
          default:
            throw formatError(`operations[${i}]: unknown variant \`${kind}\` of UpdateOperation`);
        }
        // An op that selected nothing still gets an operation id, as in Qdrant.
        ops.push(op ?? { t: 'delete', c: col.name, ids: [] });
      });
      return ops;
    });
    return ids.map((id) => LocalQdrant.updated(id));
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
    const col = this.resolve(name);
    const b = parseBody(scrollSchema, body, 'scroll');
    const limit = b.limit ?? 10;
    const wp = parseWithPayload(b.with_payload, true);
    const wv = parseWithVector(b.with_vector ?? b.with_vectors);
    const pred =
      b.filter === undefined || b.filter === null ? null : compileFilter(b.filter, col.filterContext);
    const accept = col.acceptor(pred);
    if (b.order_by !== undefined && b.order_by !== null) {
      const hits = runQuery(col, { query: { order_by: b.order_by }, filter: b.filter, limit }, null, true);
      return {
        points: hits.map((h) => ({
          ...renderRecord(col, h.slot, wp, wv),
          order_value: h.order,
        })) as Schemas['Record'][],
        next_page_offset: null,
      };
    }
    const start = b.offset === undefined || b.offset === null ? null : parsePointId(b.offset);
    const points: Schemas['Record'][] = [];
    let next: PointId | null = null;
    const filters = pred === null ? [] : [b.filter];
    const ordered = col.slotsInIdOrder(filters);
    for (let i = start === null ? 0 : firstAtOrAfter(col, ordered, start); i < ordered.length; i++) {
      const slot = ordered[i]!;
      if (!accept(slot)) continue;
      if (points.length === limit) {
        next = col.ids[slot]!;
        break;
      }
      points.push(renderRecord(col, slot, wp, wv) as Schemas['Record']);
    }
    return { points, next_page_offset: next as Schemas['ScrollResult']['next_page_offset'] };
  }

  /** POST /collections/{name}/points/count. */
  async countPoints(name: string, body: Schemas['CountRequest'] = {}): Promise<Schemas['CountResult']> {
    const col = this.resolve(name);
    const b = parseBody(countSchema, body, 'count');
    if (b.filter === undefined || b.filter === null) return { count: col.count };
    const accept = col.acceptor(compileFilter(b.filter, col.filterContext));
    let count = 0;
    const narrowed = col.candidateSlots([b.filter]);
    if (narrowed === null) {
      for (const slot of col.slotOf.values()) if (accept(slot)) count++;
    } else {
      for (const slot of narrowed) if (accept(slot)) count++;
    }
    return { count };
  }

  /** POST /collections/{name}/points/query: the universal Query API. */
  async queryPoints(name: string, body: Schemas['QueryRequest'] = {}): Promise<Schemas['QueryResponse']> {
    const col = this.resolve(name);
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
    const b = parseBody(z.object({ searches: z.array(z.unknown()) }), body, 'searches');
    const out: Schemas['QueryResponse'][] = [];
    for (const s of b.searches) out.push(await this.queryPoints(name, s as Schemas['QueryRequest']));
    return out;
  }

  /**
   * POST /collections/{name}/points/search: the pre-Query-API search (`vector` plain or
   * `{name, vector}`), kept for older clients; returns the scored points directly.
   */
  async searchPoints(name: string, body: SearchRequest): Promise<ScoredPoint[]> {
    const col = this.resolve(name);
    const { stage, wp, wv } = searchStage(body);
    return runQuery(col, stage, null, true).map((h) => renderScored(col, h, wp, wv) as ScoredPoint);
  }

  /** POST /collections/{name}/points/search/batch. */
  async searchBatchPoints(name: string, body: { searches: SearchRequest[] }): Promise<ScoredPoint[][]> {
    const b = parseBody(z.object({ searches: z.array(z.unknown()) }), body, 'searches');
    const out: ScoredPoint[][] = [];
    for (const s of b.searches) out.push(await this.searchPoints(name, s as SearchRequest));
    return out;
  }

  /** POST /collections/{name}/points/search/groups: the legacy search, grouped by `group_by`. */
  async searchGroups(name: string, body: SearchRequest & GroupsRequest): Promise<Schemas['GroupsResult']> {
    const col = this.resolve(name);
    const { stage } = searchStage({ ...body, limit: 1, offset: 0 });
    return queryGroups(col, body, stage, (n) => this.resolve(n));
  }

  /** POST /collections/{name}/points/query/groups: a query's hits grouped by a payload value. */
  async queryGroups(name: string, body: Schemas['QueryGroupsRequest']): Promise<Schemas['GroupsResult']> {
    const col = this.resolve(name);
    const b = parseBody(querySchema, { ...body, limit: 1 }, 'query');
    return queryGroups(col, body, b as QueryStage, (n) => this.resolve(n));
  }

  /** POST /collections/{name}/facet: counts of each value of an indexed key. */
  async facet(name: string, body: Schemas['FacetRequest']): Promise<Schemas['FacetResponse']> {
    return facet(this.resolve(name), body);
  }

  /** POST /collections/{name}/points/search/matrix/pairs: nearest pairs among a random sample. */
  async searchMatrixPairs(
    name: string,
    body: Schemas['SearchMatrixRequest'] = {},
  ): Promise<Schemas['SearchMatrixPairsResponse']> {
    return matrixPairs(this.resolve(name), body);
  }

  /** POST /collections/{name}/points/search/matrix/offsets: the same matrix as parallel arrays. */
  async searchMatrixOffsets(
    name: string,
    body: Schemas['SearchMatrixRequest'] = {},
  ): Promise<Schemas['SearchMatrixOffsetsResponse']> {
    return matrixOffsets(this.resolve(name), body);
  }
}

/** The position in id-ordered `slots` of the first point whose id is `start` or after it (binary search). */
function firstAtOrAfter(col: Collection, slots: readonly number[], start: PointId): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePointIds(col.ids[slots[mid]!]!, start) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function wrongInputConflict(detail: string): LocalQdrantError {
  return new LocalQdrantError(409, `Wrong input: ${detail}`);
}
