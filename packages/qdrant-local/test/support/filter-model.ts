// Random payloads and filters for the payload-index tests: a seeded generator of MonsterOS-like
// payloads and Qdrant filters, a brute-force predicate written from Qdrant's rules, and the check that
// an indexed collection, an unindexed one and the predicate answer identically.
import { expect } from 'vitest';
import type { LocalQdrant } from '../../src/index.js';

const DIM = 8;
const TAGS = Array.from({ length: 12 }, (_, i) => `char_${i}`);
const OWNERS = ['ada', 'bo', 'cy', 'di', 'eve'];
const KINDS = ['fact', 'event', 'goal'];
const REFS = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
const ID_UUIDS = Array.from(
  { length: 40 },
  (_, i) => `f${String(i).padStart(7, '0')}-1111-4222-8333-444455556666`,
);

export type Json = Record<string, unknown>;
type Id = number | string;

export class Gen {
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

export const INDEXES: Array<[string, string]> = [
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

export async function expectSameAnswers(
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
export async function randomWrite(engine: LocalQdrant, names: string[], model: Model, g: Gen): Promise<void> {
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

export async function seed(engine: LocalQdrant, names: string[], g: Gen, count: number): Promise<Model> {
  const model: Model = new Map();
  for (let i = 0; i < count; i++) model.set(g.id(), { vector: g.vector(), payload: g.payload() });
  const points = [...model].map(([id, p]) => ({ id, vector: p.vector, payload: p.payload }));
  for (const name of names) {
    await engine.createCollection(name, { vectors: { size: DIM, distance: 'Cosine' } });
    await engine.upsertPoints(name, { points });
  }
  return model;
}
