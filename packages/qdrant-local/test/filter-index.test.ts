// Index narrowing must never change a result: the same data in a collection with keyword / integer /
// bool / uuid payload indexes and in one without any, queried with random filters, must answer
// identically, and both must agree with a brute-force predicate written here from Qdrant's rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom as random } from '@monsteros/bench-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { Collection } from '../src/engine/collection.js';
import { SlotList } from '../src/engine/payload-index.js';
import { LocalQdrant } from '../src/index.js';
import { simulateCrash } from './support/data-dirs.js';

const DIM = 8;
const TAGS = Array.from({ length: 12 }, (_, i) => `char_${i}`);
const OWNERS = ['ada', 'bo', 'cy', 'di', 'eve'];
const KINDS = ['fact', 'event', 'goal'];
const REFS = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
const ID_UUIDS = Array.from(
  { length: 40 },
  (_, i) => `f${String(i).padStart(7, '0')}-1111-4222-8333-444455556666`,
);

type Json = Record<string, unknown>;
type Id = number | string;

class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  vector(): number[] {
    return Array.from({ length: DIM }, () => this.next() * 2 - 1);
  }
  id(): Id {
    return this.chance(0.1) ? this.pick(ID_UUIDS) : this.int(400);
  }
  /** Payloads shaped like MonsterOS memories, with the awkward cases: arrays, missing keys, wrong types. */
  payload(): Json {
    const p: Json = {};
    const tag = this.int(10);
    if (tag < 7) p.tag = this.pick(TAGS);
    else if (tag < 9) p.tag = [this.pick(TAGS), this.pick(TAGS)];
    else if (this.chance(0.5)) p.tag = 7;
    if (this.chance(0.9)) p.n = this.chance(0.8) ? this.int(20) : [this.int(20), this.int(20)];
    if (this.chance(0.9)) p.flag = this.chance(0.5);
    if (this.chance(0.8)) p.meta = { owner: this.pick(OWNERS) };
    if (this.chance(0.5)) p.items = [{ kind: this.pick(KINDS) }, { kind: this.pick(KINDS) }];
    if (this.chance(0.6)) p.ref = this.pick(REFS);
    return p;
  }
  condition(depth: number): Json {
    switch (this.int(depth > 0 ? 11 : 10)) {
      case 0:
      case 1:
        return { key: 'tag', match: { value: this.pick(TAGS) } };
      case 2:
        return { key: 'tag', match: { any: [this.pick(TAGS), this.pick(TAGS), this.pick(TAGS)] } };
      case 3:
        return { key: 'n', match: { value: this.int(20) } };
      case 4:
        return { key: 'n', match: { any: [this.int(20), this.int(20)] } };
      case 5:
        return { key: 'meta.owner', match: { value: this.pick(OWNERS) } };
      case 6:
        return { key: 'flag', match: { value: this.chance(0.5) } };
      case 7:
        return { key: 'ref', match: { value: this.pick(REFS) } };
      case 8:
        return { key: 'items[].kind', match: { value: this.pick(KINDS) } };
      case 9:
        return this.chance(0.5)
          ? { has_id: [this.id(), this.id(), this.id(), this.id()] }
          : { key: 'n', range: { gte: this.int(20) } };
      default:
        return this.filter(depth - 1);
    }
  }
  conditions(n: number, depth: number): Json[] {
    return Array.from({ length: n }, () => this.condition(depth));
  }
  filter(depth = 1): Json {
    const f: Json = { must: this.conditions(1 + this.int(2), depth) };
    if (this.chance(0.3)) f.should = this.conditions(1 + this.int(2), depth);
    if (this.chance(0.3)) f.must_not = this.conditions(1, depth);
    if (this.chance(0.15)) f.min_should = { conditions: this.conditions(2, depth), min_count: 1 };
    if (this.chance(0.15) && (f.should || f.min_should)) delete f.must;
    return f;
  }
}

/** The values a key reaches, arrays counting element by element (`a.b`, `a[].b`). */
function valuesOf(payload: Json, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const part of key.split('.')) {
    const name = part.endsWith('[]') ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const v of current) {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !(name in v)) continue;
      const got = (v as Json)[name];
      if (part.endsWith('[]')) {
        if (Array.isArray(got)) next.push(...got);
      } else next.push(got);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function matches(point: { id: Id; payload: Json }, f: Json): boolean {
  const cond = (c: Json): boolean => {
    if ('has_id' in c) return (c.has_id as Id[]).includes(point.id);
    if (!('key' in c)) return matches(point, c);
    const values = valuesOf(point.payload, c.key as string);
    if (c.range) return values.some((v) => typeof v === 'number' && v >= ((c.range as Json).gte as number));
    const m = c.match as Json;
    if ('value' in m) return values.includes(m.value);
    return values.some((v) => (m.any as unknown[]).includes(v));
  };
  const must = (f.must as Json[] | undefined) ?? [];
  const should = f.should as Json[] | undefined;
  const mustNot = (f.must_not as Json[] | undefined) ?? [];
  const ms = f.min_should as { conditions: Json[]; min_count: number } | undefined;
  return (
    must.every(cond) &&
    !mustNot.some(cond) &&
    (should === undefined || should.some(cond)) &&
    (ms === undefined || ms.conditions.filter(cond).length >= ms.min_count)
  );
}

const INDEXES: Array<[string, string]> = [
  ['tag', 'keyword'],
  ['meta.owner', 'keyword'],
  ['items[].kind', 'keyword'],
  ['n', 'integer'],
  ['flag', 'bool'],
  ['ref', 'uuid'],
];

/** The model: what every collection must hold, kept here in plain objects. */
type Model = Map<Id, { vector: number[]; payload: Json }>;

/** Operation ids differ between the collections (index ops count), so hits compare without `version`. */
const hits = (points: Array<{ id: Id; score: number }>) => points.map(({ id, score }) => ({ id, score }));

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (v: number[]) => {
  const l = Math.sqrt(dot(v, v));
  return v.map((x) => x / l);
};

async function expectSameAnswers(
  engine: LocalQdrant,
  indexed: string,
  plain: string,
  model: Model,
  g: Gen,
  rounds: number,
): Promise<void> {
  const all = [...model].map(([id, p]) => ({ id, ...p }));
  for (let r = 0; r < rounds; r++) {
    const filter = g.filter();
    const expected = all.filter((p) => matches(p, filter));
    const expectedIds = expected
      .map((p) => p.id)
      .sort((a, b) =>
        typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1,
      );
    const why = JSON.stringify(filter);

    expect((await engine.countPoints(indexed, { filter })).count, why).toBe(expected.length);
    expect((await engine.countPoints(plain, { filter })).count, why).toBe(expected.length);

    const scrolled: Id[] = [];
    let offset: Id | null | undefined;
    do {
      const page = await engine.scrollPoints(indexed, { filter, limit: 7, offset, with_payload: false });
      scrolled.push(...page.points.map((p) => p.id));
      offset = page.next_page_offset as Id | null;
    } while (offset !== null && offset !== undefined);
    expect(scrolled, why).toEqual(expectedIds);

    const query = g.vector();
    const limit = 1 + g.int(15);
    const body = { query, filter, limit, with_payload: false };
    const a = await engine.queryPoints(indexed, body);
    const b = await engine.queryPoints(plain, body);
    expect(hits(a.points), why).toEqual(hits(b.points));
    // Independently: the hits are matching points, as many as can be, and none better was missed.
    const q = norm(query);
    const exact = new Map(expected.map((p) => [p.id, dot(norm(p.vector), q)]));
    expect(a.points.length, why).toBe(Math.min(limit, expected.length));
    const worst = Math.min(...a.points.map((p) => p.score));
    for (const p of a.points) expect(exact.get(p.id as Id), why).toBeCloseTo(p.score, 5);
    const returned = new Set(a.points.map((p) => p.id));
    for (const [id, s] of exact) if (!returned.has(id)) expect(s, why).toBeLessThanOrEqual(worst + 1e-5);

    // The prefetch + formula shape characterContextSearch sends, and the legacy search endpoint.
    const nested = {
      prefetch: { query, filter, limit: 20 },
      query: { formula: { mult: ['$score', 2] } },
      limit,
    };
    expect(hits((await engine.queryPoints(indexed, nested)).points), why).toEqual(
      hits((await engine.queryPoints(plain, nested)).points),
    );
    const legacy = { vector: query, filter, limit };
    expect(hits(await engine.searchPoints(indexed, legacy)), why).toEqual(
      hits(await engine.searchPoints(plain, legacy)),
    );
    const noQuery = { filter, limit: 5 };
    expect(hits((await engine.queryPoints(indexed, noQuery)).points), why).toEqual(
      hits((await engine.queryPoints(plain, noQuery)).points),
    );
  }
}

/** Applies one random write to both collections and to the model. */
async function randomWrite(engine: LocalQdrant, names: string[], model: Model, g: Gen): Promise<void> {
  const existing = () => {
    const keys = [...model.keys()];
    return [...new Set([g.pick(keys), g.pick(keys)])];
  };
  const kind = g.int(7);
  switch (kind) {
    case 0: {
      // Re-upserts (existing and new ids) with fresh payloads: indexed values change or vanish.
      const points = [...new Set([g.id(), g.pick([...model.keys()]), g.id()])].map((id) => ({
        id,
        vector: g.vector(),
        payload: g.payload(),
      }));
      for (const p of points) model.set(p.id, { vector: p.vector, payload: structuredClone(p.payload) });
      for (const name of names) await engine.upsertPoints(name, { points });
      return;
    }
    case 1: {
      const points = existing();
      const payload = { tag: g.pick(TAGS), meta: { owner: g.pick(OWNERS) } };
      for (const id of points) Object.assign(model.get(id)!.payload, structuredClone(payload));
      for (const name of names) await engine.setPayload(name, { points, payload });
      return;
    }
    case 2: {
      const points = existing();
      const owner = g.pick(OWNERS);
      for (const id of points) {
        const p = model.get(id)!.payload;
        if (typeof p.meta !== 'object' || p.meta === null || Array.isArray(p.meta)) p.meta = {};
        (p.meta as Json).owner = owner;
      }
      for (const name of names) await engine.setPayload(name, { points, payload: { owner }, key: 'meta' });
      return;
    }
    case 3: {
      const points = existing();
      const payload = g.payload();
      for (const id of points) model.get(id)!.payload = structuredClone(payload);
      for (const name of names) await engine.overwritePayload(name, { points, payload });
      return;
    }
    case 4: {
      const points = existing();
      for (const id of points) {
        const p = model.get(id)!.payload;
        delete p.tag;
        if (typeof p.meta === 'object' && p.meta !== null) delete (p.meta as Json).owner;
      }
      for (const name of names) await engine.deletePayload(name, { points, keys: ['tag', 'meta.owner'] });
      return;
    }
    case 5: {
      const points = existing();
      for (const id of points) model.get(id)!.payload = {};
      for (const name of names) await engine.clearPayload(name, { points });
      return;
    }
    default: {
      // Deletes by an indexed filter: the selection itself goes through the index.
      const filter = { must: [{ key: 'tag', match: { value: g.pick(TAGS) } }] };
      for (const [id, p] of model) if (matches({ id, payload: p.payload }, filter)) model.delete(id);
      for (const name of names) await engine.deletePoints(name, { filter });
    }
  }
}

async function seed(engine: LocalQdrant, names: string[], g: Gen, count: number): Promise<Model> {
  const model: Model = new Map();
  for (let i = 0; i < count; i++) model.set(g.id(), { vector: g.vector(), payload: g.payload() });
  const points = [...model].map(([id, p]) => ({ id, vector: p.vector, payload: p.payload }));
  for (const name of names) {
    await engine.createCollection(name, { vectors: { size: DIM, distance: 'Cosine' } });
    await engine.upsertPoints(name, { points });
  }
  return model;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('filtered search, scroll and count through payload indexes', () => {
  it('answers exactly as without indexes and as a brute-force predicate, through random writes', async () => {
    const g = new Gen(random(7));
    const engine = await LocalQdrant.open(':memory:');
    const names = ['indexed', 'plain'];
    const model = await seed(engine, names, g, 400);
    // Indexes created on existing data (built from the points) …
    for (const [field, type] of INDEXES.slice(0, 3))
      await engine.createPayloadIndex('indexed', { field_name: field, field_schema: type as 'keyword' });
    await expectSameAnswers(engine, 'indexed', 'plain', model, g, 40);
    // … and before later writes (maintained by every write).
    for (const [field, type] of INDEXES.slice(3))
      await engine.createPayloadIndex('indexed', { field_name: field, field_schema: type as 'keyword' });
    for (let round = 0; round < 30; round++) {
      await randomWrite(engine, names, model, g);
      await expectSameAnswers(engine, 'indexed', 'plain', model, g, 4);
    }
    // A dropped index and a re-typed one fall back to the scan.
    await engine.deletePayloadIndex('indexed', 'tag');
    await engine.createPayloadIndex('indexed', { field_name: 'n', field_schema: 'float' });
    await expectSameAnswers(engine, 'indexed', 'plain', model, g, 20);
    await engine.close();
  });

  it('rebuilds the indexes from the snapshot and from the log when a directory is reopened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mos-filter-index-'));
    dirs.push(dir);
    const g = new Gen(random(11));
    const first = await LocalQdrant.open(dir, { compactAfterBytes: Number.MAX_SAFE_INTEGER });
    const names = ['indexed', 'plain'];
    const model = await seed(first, names, g, 300);
    for (const [field, type] of INDEXES)
      await first.createPayloadIndex('indexed', { field_name: field, field_schema: type as 'keyword' });
    for (let round = 0; round < 15; round++) await randomWrite(first, names, model, g);

    // Still open and never compacted: a second engine replays everything from the log.
    await simulateCrash(dir);
    const replayed = await LocalQdrant.open(dir);
    await expectSameAnswers(replayed, 'indexed', 'plain', model, g, 30);
    await first.close();
    await replayed.close();

    const reopened = await LocalQdrant.open(dir);
    for (let round = 0; round < 10; round++) await randomWrite(reopened, names, model, g);
    await expectSameAnswers(reopened, 'indexed', 'plain', model, g, 30);
    await reopened.close();
  });
});

describe('index candidates', () => {
  const points = (payloads: Json[]) =>
    payloads.map((payload, i) => ({ id: i + 1, vectors: { '': Float32Array.of(1, 0) }, payload }));

  it('narrows to the points carrying the value, array elements included, and follows writes', () => {
    const col = new Collection('c', { vectors: { size: 2, distance: 'Dot' } });
    const payloads = Array.from({ length: 20 }, (_, i) => ({ who: i % 10 === 0 ? ['a', 'z'] : `n${i}` }));
    col.upsert(points(payloads), 1);
    col.createIndex('who', { data_type: 'keyword' });
    const a = { must: [{ key: 'who', match: { value: 'a' } }] };
    expect(Array.from(col.candidateSlots([a]) ?? [])).toEqual([0, 10]);
    col.setPayload([11], { who: 'b' }, undefined, 2);
    expect(Array.from(col.candidateSlots([a]) ?? [])).toEqual([0]);
    col.delete([1]);
    expect(Array.from(col.candidateSlots([a]) ?? [])).toEqual([]);
    const any = { must: [{ key: 'who', match: { any: ['z', 'b', 'n3'] } }] };
    expect(Array.from(col.candidateSlots([any]) ?? [])).toEqual([3, 10]);
  });

  it('scans everything when the filter is not indexed or matches too large a share', () => {
    const col = new Collection('c', { vectors: { size: 2, distance: 'Dot' } });
    col.upsert(points(Array.from({ length: 20 }, (_, i) => ({ half: i % 2 === 0, n: i }))), 1);
    col.createIndex('half', { data_type: 'bool' });
    col.createIndex('n', { data_type: 'float' });
    expect(col.candidateSlots([{ must: [{ key: 'half', match: { value: true } }] }])).toBeNull();
    expect(col.candidateSlots([{ must: [{ key: 'n', match: { value: 3 } }] }])).toBeNull();
    expect(col.candidateSlots([{ must_not: [{ key: 'half', match: { value: true } }] }])).toBeNull();
  });

  it('keeps slot lists sorted through out-of-order inserts and removals', () => {
    const list = new SlotList();
    const g = new Gen(random(3));
    const model = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const slot = g.int(300);
      if (g.chance(0.6)) {
        list.add(slot);
        model.add(slot);
      } else {
        list.remove(slot);
        model.delete(slot);
      }
    }
    expect(Array.from(list.view())).toEqual([...model].sort((x, y) => x - y));
  });
});
