import type { FilterContext, PointView, Predicate } from '../filter/compile.js';
import { type IndexSource, type Narrowing, narrowFilter } from '../filter/narrow.js';
import {
  type CreateCollectionBody,
  collectionConfig,
  type DenseSpec,
  denseSpecs,
} from './collection-config.js';
import { comparePointIds, type PointId } from './ids.js';
import { cloneJson, deleteAt, hasValuesAt, mergeAt, type Payload } from './json-path.js';
import { MultiVectorStore } from './multi-vector-store.js';
import { INVERTED_TYPES, InvertedIndex } from './payload-index.js';
import { SparseIndex, type SparseVector } from './sparse-index.js';
import { VectorStore } from './vector-store.js';

export type { SparseVector } from './sparse-index.js';

/** A point as written to the log: ids parsed, vectors prepared (Cosine normalized). */
export interface PreparedPoint {
  id: PointId;
  vectors: Record<string, Float32Array>;
  sparse?: Record<string, SparseVector>;
  payload: Payload;
}

/**
 * Above this share of the collection, index candidates are not worth it: the sequential SIMD scan
 * over every row beats gathering scattered rows (see bench/run.ts, filtered search rows).
 */
const NARROW_MAX_SHARE = 0.3;

export interface IndexSpec {
  data_type: string;
  params?: Record<string, unknown>;
}

/**
 * One collection's state: slot-addressed points (id, payload, version) and one VectorStore per
 * dense vector name. Deleted slots are recycled so the vector arrays stay dense. Mutations here
 * are already validated and logged by LocalQdrant; they cannot fail.
 */
export class Collection {
  readonly unnamed: boolean;
  readonly dense = new Map<string, VectorStore>();
  /** Multivector names (MaxSim), kept apart from the single-row dense stores. */
  readonly multi = new Map<string, MultiVectorStore>();
  readonly sparseNames: Set<string>;
  /** One inverted index per sparse vector name. */
  readonly sparseIndexes = new Map<string, SparseIndex>();
  config: Record<string, unknown>;
  private readonly indexSpecs = new Map<string, IndexSpec>();
  ids: Array<PointId | undefined> = [];
  payloads: Payload[] = [];
  versions: number[] = [];
  sparse: Array<Record<string, SparseVector> | undefined> = [];
  live = new Uint8Array(64);
  readonly slotOf = new Map<PointId, number>();
  private free: number[] = [];
  /** Slots ever used: scans stop here. */
  high = 0;
  lastOp = 0;
  private sortedCache: number[] | null = null;
  readonly filterContext: FilterContext;
  /** Equality lookups for keyword / integer / uuid / bool payload indexes, kept in step with every write. */
  private readonly invertedIndexes = new Map<string, InvertedIndex>();
  private readonly indexSource: IndexSource = {
    inverted: (key) => this.invertedIndexes.get(key),
    slotOf: (id) => this.slotOf.get(id),
  };

  constructor(
    readonly name: string,
    public body: CreateCollectionBody,
  ) {
    const { unnamed, specs } = denseSpecs(body);
    this.unnamed = unnamed;
    for (const s of specs) {
      if (s.multivector) this.multi.set(s.name, new MultiVectorStore(s.size, s.distance));
      else this.dense.set(s.name, new VectorStore(s.size, s.distance, { onDisk: s.onDisk, int8: s.int8 }));
    }
    this.sparseNames = new Set(Object.keys(body.sparse_vectors ?? {}));
    for (const [name, params] of Object.entries(body.sparse_vectors ?? {}))
      this.sparseIndexes.set(name, new SparseIndex(params.modifier === 'idf'));
    this.config = collectionConfig(body);
    this.filterContext = { textIndexed: (key) => this.indexes.get(key)?.data_type === 'text' };
  }

  /**
   * Takes a new configuration (PATCH /collections/{name}, or a vector name created or deleted):
   * vector names that appear get empty stores, names that disappear lose their vectors.
   */
  reconfigure(body: CreateCollectionBody): void {
    this.body = body;
    this.config = collectionConfig(body);
    const { specs } = denseSpecs(body);
    for (const name of [...this.dense.keys()])
      if (!specs.some((s) => s.name === name)) this.dense.delete(name);
    for (const name of [...this.multi.keys()])
      if (!specs.some((s) => s.name === name)) this.multi.delete(name);
    for (const s of specs) {
      if (this.dense.has(s.name) || this.multi.has(s.name)) continue;
      if (s.multivector) {
        this.multi.set(s.name, new MultiVectorStore(s.size, s.distance));
        continue;
      }
      const store = new VectorStore(s.size, s.distance, { onDisk: s.onDisk, int8: s.int8 });
      store.ensure(this.high);
      this.dense.set(s.name, store);
    }
    const sparse = body.sparse_vectors ?? {};
    for (const name of [...this.sparseNames]) {
      if (name in sparse) continue;
      this.sparseNames.delete(name);
      this.sparseIndexes.delete(name);
      for (let slot = 0; slot < this.high; slot++) {
        const sp = this.sparse[slot];
        if (!sp?.[name]) continue;
        const { [name]: _gone, ...rest } = sp;
        this.sparse[slot] = Object.keys(rest).length > 0 ? rest : undefined;
      }
    }
    for (const [name, params] of Object.entries(sparse)) {
      const idf = params.modifier === 'idf';
      if (this.sparseIndexes.get(name)?.idfModifier === idf) continue;
      // A new sparse name, or a changed modifier: (re)build its index from the stored vectors.
      this.sparseNames.add(name);
      const index = new SparseIndex(idf);
      for (const slot of this.slotOf.values()) {
        const v = this.sparse[slot]?.[name];
        if (v) index.set(slot, v);
      }
      this.sparseIndexes.set(name, index);
    }
  }

  /** The payload indexes by field; change them with `createIndex` / `dropIndex`. */
  get indexes(): ReadonlyMap<string, IndexSpec> {
    return this.indexSpecs;
  }

  get count(): number {
    return this.slotOf.size;
  }

  specs(): DenseSpec[] {
    return [...this.dense.entries()].map(([name, s]) => ({ name, size: s.dim, distance: s.distance }));
  }

  /**
   * A view of a slot for filters and formulas; cheap, created per evaluated point only (a class
   * instance, so no closure is made per point).
   */
  view(slot: number): PointView {
    return new SlotView(this, slot);
  }

  /** A slot predicate for a compiled filter, or null when there is none (the fast path). */
  acceptor(filter: Predicate | null): (slot: number) => boolean {
    const live = this.live;
    if (!filter) return (slot) => live[slot] === 1;
    return (slot) => live[slot] === 1 && filter(this.view(slot));
  }

  /** Records a payload index; equality-typed ones get an inverted index built from the live points. */
  createIndex(field: string, spec: IndexSpec): void {
    this.indexSpecs.set(field, spec);
    if (!INVERTED_TYPES.has(spec.data_type)) {
      this.invertedIndexes.delete(field);
      return;
    }
    const index = new InvertedIndex(field);
    for (const slot of this.slotOf.values()) index.update(slot, this.payloads[slot]!);
    this.invertedIndexes.set(field, index);
  }

  dropIndex(field: string): void {
    this.indexSpecs.delete(field);
    this.invertedIndexes.delete(field);
  }

  private reindex(slot: number): void {
    if (this.invertedIndexes.size === 0) return;
    const payload = this.live[slot] === 1 ? this.payloads[slot]! : null;
    for (const index of this.invertedIndexes.values()) index.update(slot, payload);
  }

  /**
   * The slots (ascending) that can satisfy every one of `filters` (raw, already validated), read
   * from the inverted indexes; null when no filter is indexed or the candidates are too many
   * for narrowing to pay (then scan everything). Callers still apply the full filter.
   */
  candidateSlots(filters: readonly unknown[]): Int32Array | null {
    return this.narrow(filters)?.slots ?? null;
  }

  /**
   * `candidateSlots`, and whether they are exactly the points `filters` accept (one filter that
   * is a single indexed equality): then callers need not check the filter per point.
   */
  narrow(filters: readonly unknown[]): { slots: Int32Array; exact: boolean } | null {
    let best: Narrowing | null = null;
    for (const f of filters) {
      const n = narrowFilter(f, this.indexSource);
      if (n !== null && (best === null || n.size < best.size)) best = n;
    }
    if (best === null || best.size > NARROW_MAX_SHARE * this.count) return null;
    return { slots: best.slots(), exact: filters.length === 1 && best.exact === true };
  }

  /** Live slots that may pass `filters`, in Qdrant's id order: index candidates when they narrow, else all. */
  slotsInIdOrder(filters: readonly unknown[]): readonly number[] {
    const candidates = this.candidateSlots(filters);
    if (candidates === null) return this.sortedSlots();
    return Array.from(candidates).sort((a, b) => comparePointIds(this.ids[a]!, this.ids[b]!));
  }

  /** Live slots in Qdrant's id order (numbers, then UUIDs), cached until the next insert or delete. */
  sortedSlots(): number[] {
    if (!this.sortedCache) {
      this.sortedCache = [...this.slotOf.values()].sort((a, b) =>
        comparePointIds(this.ids[a]!, this.ids[b]!),
      );
    }
    return this.sortedCache;
  }

  private allocate(): number {
    const slot = this.free.pop() ?? this.high++;
    if (slot >= this.live.length) {
      const live = new Uint8Array(this.live.length * 2);
      live.set(this.live);
      this.live = live;
    }
    return slot;
  }

  upsert(points: PreparedPoint[], version: number): void {
    for (const p of points) {
      let slot = this.slotOf.get(p.id);
      if (slot === undefined) {
        slot = this.allocate();
        this.slotOf.set(p.id, slot);
        this.sortedCache = null;
      }
      this.ids[slot] = p.id;
      this.live[slot] = 1;
      this.payloads[slot] = p.payload;
      this.versions[slot] = version;
      this.sparse[slot] = p.sparse;
      for (const [name, index] of this.sparseIndexes) index.set(slot, p.sparse?.[name]);
      for (const [name, store] of this.dense) {
        const v = p.vectors[name];
        if (v) store.set(slot, v);
        else store.clear(slot);
      }
      for (const [name, store] of this.multi) {
        const v = p.vectors[name];
        if (v) store.set(slot, v);
        else store.clear(slot);
      }
      this.reindex(slot);
    }
  }

  updateVectors(
    points: Array<{
      id: PointId;
      vectors: Record<string, Float32Array>;
      sparse?: Record<string, SparseVector>;
    }>,
    version: number,
  ): void {
    for (const p of points) {
      const slot = this.slotOf.get(p.id);
      if (slot === undefined) continue;
      for (const [name, v] of Object.entries(p.vectors))
        (this.dense.get(name) ?? this.multi.get(name))?.set(slot, v);
      for (const [name, v] of Object.entries(p.sparse ?? {})) {
        this.sparse[slot] = { ...this.sparse[slot], [name]: v };
        this.sparseIndexes.get(name)?.set(slot, v);
      }
      this.versions[slot] = version;
    }
  }

  deleteVectors(ids: PointId[], names: string[], version: number): void {
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      for (const name of names) {
        this.dense.get(name)?.clear(slot);
        this.multi.get(name)?.clear(slot);
        const sp = this.sparse[slot];
        if (sp?.[name]) {
          const { [name]: _gone, ...rest } = sp;
          this.sparse[slot] = Object.keys(rest).length > 0 ? rest : undefined;
        }
        this.sparseIndexes.get(name)?.remove(slot);
      }
      this.versions[slot] = version;
    }
  }

  delete(ids: PointId[]): void {
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      this.slotOf.delete(id);
      this.live[slot] = 0;
      this.ids[slot] = undefined;
      this.payloads[slot] = {};
      this.sparse[slot] = undefined;
      for (const index of this.sparseIndexes.values()) index.remove(slot);
      for (const store of this.dense.values()) store.clear(slot);
      for (const store of this.multi.values()) store.clear(slot);
      this.reindex(slot);
      this.free.push(slot);
      this.sortedCache = null;
    }
  }

  private each(ids: PointId[], version: number, fn: (slot: number) => void): void {
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      fn(slot);
      this.reindex(slot);
      this.versions[slot] = version;
    }
  }

  setPayload(ids: PointId[], payload: Payload, key: string | undefined, version: number): void {
    this.each(ids, version, (slot) => {
      if (key) mergeAt(this.payloads[slot]!, key, payload);
      else Object.assign(this.payloads[slot]!, cloneJson(payload));
    });
  }

  overwritePayload(ids: PointId[], payload: Payload, version: number): void {
    this.each(ids, version, (slot) => {
      this.payloads[slot] = cloneJson(payload);
    });
  }

  deletePayload(ids: PointId[], keys: string[], version: number): void {
    this.each(ids, version, (slot) => {
      for (const k of keys) deleteAt(this.payloads[slot]!, k);
    });
  }

  clearPayload(ids: PointId[], version: number): void {
    this.each(ids, version, (slot) => {
      this.payloads[slot] = {};
    });
  }

  /** payload_schema of CollectionInfo: each index with the number of points that carry the field. */
  /**
   * Each payload index's size: points carrying the field and, for the inverted (equality) ones,
   * distinct values and (point, value) entries (0 for the others, which are scanned).
   */
  payloadIndexSizes(): Record<string, { dataType: string; points: number; values: number; entries: number }> {
    const out: Record<string, { dataType: string; points: number; values: number; entries: number }> = {};
    const schema = this.payloadSchema() as Record<string, { points: number }>;
    for (const [field, spec] of this.indexes) {
      const size = this.invertedIndexes.get(field)?.size() ?? { values: 0, entries: 0 };
      out[field] = { dataType: spec.data_type, points: schema[field]?.points ?? 0, ...size };
    }
    return out;
  }

  payloadSchema(): Record<string, unknown> {
    // One pass over the points for every indexed field, testing presence without building values.
    const fields = [...this.indexes.keys()];
    const points = new Array<number>(fields.length).fill(0);
    if (fields.length > 0)
      for (const slot of this.slotOf.values()) {
        const payload = this.payloads[slot]!;
        for (let i = 0; i < fields.length; i++) if (hasValuesAt(payload, fields[i]!)) points[i]!++;
      }
    const out: Record<string, unknown> = {};
    for (const [i, field] of fields.entries())
      out[field] = { ...this.indexes.get(field)!, points: points[i] };
    return out;
  }
}

/** What a filter or formula sees of one slot of a collection. */
class SlotView implements PointView {
  readonly id: PointId;
  readonly payload: Payload;

  constructor(
    private readonly col: Collection,
    private readonly slot: number,
  ) {
    this.id = col.ids[slot]!;
    this.payload = col.payloads[slot]!;
  }

  hasVector(name: string): boolean {
    return (
      this.col.dense.get(name)?.present[this.slot] === 1 ||
      this.col.multi.get(name)?.present[this.slot] === 1 ||
      this.col.sparse[this.slot]?.[name] !== undefined
    );
  }
}
