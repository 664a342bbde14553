import type { Schemas } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerCases } from './answers.js';
import { collectionUpdateCases } from './collection-update.js';
import { conditionCases } from './conditions.js';
import { exploreCases } from './explore.js';
import { groupCases } from './groups.js';
import {
  cosine,
  dbsf,
  dot,
  euclid,
  expDecay,
  gaussDecay,
  linDecay,
  manhattan,
  normalized,
  rank,
  rrf,
} from './math.js';
import { multivectorCases } from './multivectors.js';
import { snapshotCases } from './snapshots.js';
import { type ContractTarget, expectQdrantError, uniqueName } from './targets.js';

type Payload = Record<string, unknown>;
type Id = number | string;

const UUID = '6f1b2d4e-8a3c-4e5f-9b7d-1c2e3f4a5b6c';
const UUID2 = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

/** Points used by the filter and payload cases; each filter's expectation is a plain JS predicate over them. */
const people: Array<{ id: Id; vector: number[]; payload: Payload }> = [
  {
    id: 1,
    vector: [1, 0, 0, 0],
    payload: {
      city: 'London',
      color: 'green',
      n: 1,
      tags: ['a', 'b'],
      t: '2024-01-01T00:00:00Z',
      addr: { city: 'Paris', zip: '75001' },
      items: [
        { sku: 'x', qty: 1 },
        { sku: 'y', qty: 5 },
      ],
      note: 'the quick brown fox',
      maybe: null,
    },
  },
  {
    id: 2,
    vector: [0.8, 0.6, 0.05, 0],
    payload: {
      city: 'London',
      color: 'red',
      n: 2.5,
      tags: ['b'],
      t: '2024-03-01T12:00:00Z',
      addr: { city: 'Rome' },
      items: [{ sku: 'x', qty: 7 }],
      note: 'a lazy dog',
      maybe: 'v',
    },
  },
  {
    id: 3,
    vector: [0, 1, 0, 0],
    payload: {
      city: 'London',
      color: 'blue',
      n: 3,
      tags: [],
      t: '2024-06-15T00:00:00Z',
      items: [],
      note: 'quick thinking',
      // An array holding null is not null itself (Qdrant's is_null).
      maybe: [null],
    },
  },
  {
    id: 4,
    vector: [0.5, 0.5, 0.5, 0.5],
    payload: {
      city: 'Berlin',
      color: 'red',
      n: 4,
      tags: ['c'],
      t: '2023-12-31T23:59:59Z',
      addr: { city: 'Paris' },
      items: [{ sku: 'y', qty: 2 }],
      maybe: null,
    },
  },
  {
    id: 5,
    vector: [-1, 0.2, 0.1, 0],
    payload: {
      city: 'Moscow',
      color: 'green',
      n: 5,
      tags: ['a', 'c', 'd'],
      addr: { city: 'Oslo' },
      items: [
        { sku: 'x', qty: 3 },
        { sku: 'x', qty: 9 },
      ],
    },
  },
  {
    id: 6,
    vector: [0.3, 0.1, 0.9, 0.2],
    payload: { city: 'Moscow', color: 'blue', tags: ['a'], t: '2024-02-01T00:00:00+02:00' },
  },
  { id: UUID, vector: [0.1, -0.4, 0.2, 0.9], payload: { city: 'Berlin', color: 'green', n: -1, tags: null } },
];

/** Stored vectors are float32: compare component-wise at float32 precision. */
function expectVector(actual: unknown, expected: number[]): void {
  expect(Array.isArray(actual)).toBe(true);
  const v = actual as number[];
  expect(v).toHaveLength(expected.length);
  v.forEach((x, i) => {
    expect(x).toBeCloseTo(expected[i]!, 6);
  });
}

const byId = new Map(people.map((p) => [p.id, p]));
const query = [0.9, 0.3, 0.2, 0.1];
const sortIds = (ids: Id[]) =>
  [...ids].sort((a, b) =>
    typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1,
  );
const pay = (id: Id) => byId.get(id)!.payload;
const ms = (s: unknown) => (typeof s === 'string' ? Date.parse(s) : Number.NaN);
const items = (id: Id) => (pay(id).items as Array<{ sku: string; qty: number }> | undefined) ?? [];

/** [case, Qdrant filter, the same condition as a JS predicate over the point]. */
const filterCases: Array<[string, Schemas['Filter'], (id: Id) => boolean]> = [
  [
    'must: every condition',
    {
      must: [
        { key: 'city', match: { value: 'London' } },
        { key: 'color', match: { value: 'red' } },
      ],
    },
    (id) => pay(id).city === 'London' && pay(id).color === 'red',
  ],
  [
    'should: any condition',
    {
      should: [
        { key: 'color', match: { value: 'red' } },
        { key: 'color', match: { value: 'blue' } },
      ],
    },
    (id) => ['red', 'blue'].includes(pay(id).color as string),
  ],
  [
    'must_not: no condition',
    { must_not: [{ key: 'city', match: { value: 'London' } }] },
    (id) => pay(id).city !== 'London',
  ],
  [
    'min_should: at least min_count conditions',
    {
      min_should: {
        conditions: [
          { key: 'color', match: { value: 'green' } },
          { key: 'city', match: { value: 'London' } },
          { key: 'n', range: { gte: 3 } },
        ],
        min_count: 2,
      },
    },
    (id) =>
      [
        pay(id).color === 'green',
        pay(id).city === 'London',
        typeof pay(id).n === 'number' && (pay(id).n as number) >= 3,
      ].filter(Boolean).length >= 2,
  ],
  [
    'match any over array values',
    { must: [{ key: 'tags', match: { any: ['c', 'd'] } }] },
    (id) => ((pay(id).tags as string[] | null) ?? []).some((t) => t === 'c' || t === 'd'),
  ],
  [
    'match except',
    { must: [{ key: 'color', match: { except: ['red', 'blue'] } }] },
    (id) => !['red', 'blue'].includes(pay(id).color as string),
  ],
  [
    'match text (substring without a full-text index)',
    { must: [{ key: 'note', match: { text: 'quick' } }] },
    (id) => typeof pay(id).note === 'string' && (pay(id).note as string).includes('quick'),
  ],
  [
    'range on numbers',
    { must: [{ key: 'n', range: { gt: 1, lte: 4 } }] },
    (id) => typeof pay(id).n === 'number' && (pay(id).n as number) > 1 && (pay(id).n as number) <= 4,
  ],
  [
    'range on RFC 3339 datetimes (time zones honoured)',
    { must: [{ key: 't', range: { gte: '2024-01-01T00:00:00Z', lt: '2024-06-01T00:00:00Z' } }] },
    (id) => ms(pay(id).t) >= Date.UTC(2024, 0, 1) && ms(pay(id).t) < Date.UTC(2024, 5, 1),
  ],
  [
    'values_count',
    { must: [{ key: 'tags', values_count: { gte: 2 } }] },
    (id) => Array.isArray(pay(id).tags) && (pay(id).tags as unknown[]).length >= 2,
  ],
  [
    'is_empty: missing, null or []',
    { must: [{ is_empty: { key: 'tags' } }] },
    (id) => pay(id).tags === undefined || pay(id).tags === null || (pay(id).tags as unknown[]).length === 0,
  ],
  [
    'is_null: a null value, not [null]',
    { must: [{ is_null: { key: 'maybe' } }] },
    (id) => pay(id).maybe === null,
  ],
  ['has_id', { must: [{ has_id: [1, 3, UUID] }] }, (id) => [1, 3, UUID].includes(id)],
  [
    'nested object key a.b',
    { must: [{ key: 'addr.city', match: { value: 'Paris' } }] },
    (id) => (pay(id).addr as { city?: string } | undefined)?.city === 'Paris',
  ],
  [
    'array projection a[].b',
    { must: [{ key: 'items[].sku', match: { value: 'y' } }] },
    (id) => items(id).some((i) => i.sku === 'y'),
  ],
  [
    'nested: both conditions on the same array element',
    {
      must: [
        {
          nested: {
            key: 'items',
            filter: {
              must: [
                { key: 'sku', match: { value: 'x' } },
                { key: 'qty', range: { gte: 5 } },
              ],
            },
          },
        },
      ],
    },
    (id) => items(id).some((i) => i.sku === 'x' && i.qty >= 5),
  ],
  [
    'flat a[].b conditions may match different elements',
    {
      must: [
        { key: 'items[].sku', match: { value: 'x' } },
        { key: 'items[].qty', range: { gte: 5 } },
      ],
    },
    (id) => items(id).some((i) => i.sku === 'x') && items(id).some((i) => i.qty >= 5),
  ],
  [
    'nested filters inside clauses',
    {
      must: [
        {
          should: [
            { key: 'city', match: { value: 'Berlin' } },
            { key: 'color', match: { value: 'blue' } },
          ],
        },
      ],
      must_not: [{ must: [{ key: 'n', range: { lt: 0 } }] }],
    },
    (id) =>
      (pay(id).city === 'Berlin' || pay(id).color === 'blue') &&
      !(typeof pay(id).n === 'number' && (pay(id).n as number) < 0),
  ],
];

/**
 * The contract of the local mode, written once: every case states Qdrant 1.19's behaviour with
 * expectations computed in the test, and runs against whatever `target` provides (the in-process
 * engine, the REST server through the official client, or a real Qdrant).
 */
export function contractSuite(label: string, makeTarget: () => Promise<ContractTarget>): void {
  describe(label, () => {
    let target: ContractTarget;
    let client: ContractTarget['client'];
    const created: string[] = [];

    beforeAll(async () => {
      target = await makeTarget();
      client = target.client;
    });
    afterAll(async () => {
      for (const name of created) await client.deleteCollection(name).catch(() => undefined);
      await target.close();
    });

    async function collection(
      tag: string,
      config: Schemas['CreateCollection'] = { vectors: { size: 4, distance: 'Dot' } },
    ): Promise<string> {
      const name = uniqueName(tag);
      created.push(name);
      await client.createCollection(name, config);
      return name;
    }

    async function peopleCollection(distance: Schemas['Distance'] = 'Dot'): Promise<string> {
      const name = await collection(`people_${distance.toLowerCase()}`, { vectors: { size: 4, distance } });
      await client.upsert(name, { wait: true, points: people });
      return name;
    }

    const ids = (points: Array<{ id: Id }>) => points.map((p) => p.id);

    describe('collections', () => {
      it('creates, reports, lists and deletes a collection with its settings', async () => {
        const name = await collection('lifecycle', {
          vectors: { size: 4, distance: 'Cosine' },
          hnsw_config: { m: 32, ef_construct: 200 },
          optimizers_config: { indexing_threshold: 20000 },
          shard_number: 1,
        });
        expect(await client.collectionExists(name)).toEqual({ exists: true });
        expect((await client.getCollections()).collections).toContainEqual({ name });
        const info = await client.getCollection(name);
        expect(info.status).toBe('green');
        expect(info.points_count).toBe(0);
        expect(info.config.params.vectors).toEqual({ size: 4, distance: 'Cosine' });
        expect(info.config.hnsw_config).toMatchObject({ m: 32, ef_construct: 200 });
        expect(info.config.optimizer_config).toMatchObject({ indexing_threshold: 20000 });
        expect(await client.deleteCollection(name)).toBe(true);
        expect(await client.collectionExists(name)).toEqual({ exists: false });
      });

      it('accepts named dense vectors and sparse vector declarations and reports them', async () => {
        const name = await collection('named', {
          vectors: { text: { size: 3, distance: 'Dot' }, image: { size: 2, distance: 'Euclid' } },
          sparse_vectors: { keywords: {} },
        });
        const info = await client.getCollection(name);
        expect(info.config.params.vectors).toEqual({
          text: { size: 3, distance: 'Dot' },
          image: { size: 2, distance: 'Euclid' },
        });
        expect(Object.keys(info.config.params.sparse_vectors ?? {})).toEqual(['keywords']);
        await client.upsert(name, {
          points: [
            { id: 1, vector: { text: [1, 2, 3], keywords: { indices: [3, 7], values: [0.5, 0.25] } } },
          ],
        });
        expect((await client.getCollection(name)).points_count).toBe(1);
      });

      it('refuses a second collection with the same name with 409', async () => {
        const name = await collection('dup');
        await expectQdrantError(
          client.createCollection(name, { vectors: { size: 4, distance: 'Dot' } }),
          409,
          /already exists/,
        );
      });

      it('answers 404 for an unknown collection', async () => {
        await expectQdrantError(
          client.getCollection(uniqueName('missing')),
          404,
          /Not found: Collection `.+` doesn't exist!/,
        );
      });

      it('rejects a vector size of 0 with a validation error naming the field', async () => {
        await expectQdrantError(
          client.createCollection(uniqueName('size0'), { vectors: { size: 0, distance: 'Dot' } }),
          422,
          /Validation error in JSON body: .*size/,
        );
      });

      it('serves a collection under an alias, lists and removes the alias', async () => {
        const name = await peopleCollection();
        const alias = uniqueName('alias');
        await client.updateCollectionAliases({
          actions: [{ create_alias: { collection_name: name, alias_name: alias } }],
        });
        expect((await client.getCollectionAliases(name)).aliases).toEqual([
          { alias_name: alias, collection_name: name },
        ]);
        expect((await client.getAliases()).aliases).toContainEqual({
          alias_name: alias,
          collection_name: name,
        });
        expect(await client.count(alias, { exact: true })).toEqual({ count: people.length });
        await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: alias } }] });
        expect((await client.getCollectionAliases(name)).aliases).toEqual([]);
      });

      it('refuses a collection named like an alias (400) and an alias named like a collection (409)', async () => {
        const name = await collection('aliased');
        const other = await collection('other');
        const alias = uniqueName('alias');
        await client.updateCollectionAliases({
          actions: [{ create_alias: { collection_name: name, alias_name: alias } }],
        });
        await expectQdrantError(
          client.createCollection(alias, { vectors: { size: 4, distance: 'Dot' } }),
          400,
          new RegExp(
            `^Wrong input: Can't create collection with name ${alias}\\. Alias with the same name already exists`,
          ),
        );
        await expectQdrantError(
          client.updateCollectionAliases({
            actions: [{ create_alias: { collection_name: name, alias_name: other } }],
          }),
          409,
          new RegExp(
            `^Wrong input: Can't create alias with name ${other}\\. Collection with the same name already exists`,
          ),
        );
        expect((await client.getCollectionAliases(name)).aliases).toEqual([
          { alias_name: alias, collection_name: name },
        ]);
        expect(await client.collectionExists(alias)).toEqual({ exists: false });
        await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: alias } }] });
      });

      it('creates and deletes payload indexes, reported in payload_schema', async () => {
        const name = await peopleCollection();
        await client.createPayloadIndex(name, { wait: true, field_name: 'city', field_schema: 'keyword' });
        await client.createPayloadIndex(name, { wait: true, field_name: 'n', field_schema: 'float' });
        const schema = (await client.getCollection(name)).payload_schema;
        expect(schema.city).toMatchObject({ data_type: 'keyword', points: people.length });
        expect(schema.n).toMatchObject({
          data_type: 'float',
          points: people.filter((p) => 'n' in p.payload).length,
        });
        await client.deletePayloadIndex(name, 'city', { wait: true });
        expect(Object.keys((await client.getCollection(name)).payload_schema)).toEqual(['n']);
      });
    });

    describe('points', () => {
      it('upserts integer and UUID ids and retrieves them with payload and vectors', async () => {
        const name = await peopleCollection('Cosine');
        const got = await client.retrieve(name, {
          ids: [UUID, 2, 999],
          with_payload: true,
          with_vector: true,
        });
        expect(sortIds(ids(got))).toEqual([2, UUID]);
        const two = got.find((p) => p.id === 2)!;
        expect(two.payload).toEqual(pay(2));
        // Cosine vectors are normalized when stored.
        const expected = normalized(byId.get(2)!.vector);
        (two.vector as number[]).forEach((x, i) => {
          expect(x).toBeCloseTo(expected[i]!, 6);
        });
        expect((await client.getCollection(name)).points_count).toBe(people.length);
      });

      it('replaces a point on upsert with the same id', async () => {
        const name = await peopleCollection();
        await client.upsert(name, { points: [{ id: 1, vector: [0, 0, 0, 1], payload: { replaced: true } }] });
        const [one] = await client.retrieve(name, { ids: [1], with_vector: true });
        expect(one).toMatchObject({ id: 1, payload: { replaced: true }, vector: [0, 0, 0, 1] });
        expect((await client.count(name)).count).toBe(people.length);
      });

      it('upserts in the batch (columnar) form', async () => {
        const name = await collection('batch_form');
        await client.upsert(name, {
          batch: {
            ids: [10, 11],
            vectors: [
              [1, 2, 3, 4],
              [4, 3, 2, 1],
            ],
            payloads: [{ k: 'a' }, { k: 'b' }],
          },
        });
        const got = await client.retrieve(name, { ids: [10, 11], with_vector: true });
        expect(got.sort((a, b) => (a.id as number) - (b.id as number))).toEqual([
          { id: 10, payload: { k: 'a' }, vector: [1, 2, 3, 4] },
          { id: 11, payload: { k: 'b' }, vector: [4, 3, 2, 1] },
        ]);
      });

      it('deletes points by ids and by filter', async () => {
        const name = await peopleCollection();
        await client.delete(name, { wait: true, points: [1, UUID] });
        await client.delete(name, {
          wait: true,
          filter: { must: [{ key: 'city', match: { value: 'Moscow' } }] },
        });
        const left = people
          .filter((p) => p.id !== 1 && p.id !== UUID && p.payload.city !== 'Moscow')
          .map((p) => p.id);
        const all = await client.scroll(name, { limit: 100 });
        expect(ids(all.points)).toEqual(sortIds(left));
        expect(await client.count(name)).toEqual({ count: left.length });
      });

      it('sets, overwrites, deletes and clears payload, including nested keys', async () => {
        const name = await peopleCollection();
        await client.setPayload(name, { points: [1], payload: { color: 'gold', extra: { a: 1 } } });
        await client.setPayload(name, { points: [1], payload: { zip: '99999' }, key: 'addr' });
        let [one] = await client.retrieve(name, { ids: [1] });
        expect(one!.payload).toEqual({
          ...pay(1),
          color: 'gold',
          extra: { a: 1 },
          addr: { city: 'Paris', zip: '99999' },
        });

        await client.deletePayload(name, { points: [1], keys: ['extra.a', 'note'] });
        [one] = await client.retrieve(name, { ids: [1] });
        const { note: _note, ...rest } = pay(1);
        expect(one!.payload).toEqual({
          ...rest,
          color: 'gold',
          extra: {},
          addr: { city: 'Paris', zip: '99999' },
        });

        await client.overwritePayload(name, { points: [2], payload: { only: 'this' } });
        await client.clearPayload(name, { points: [3] });
        const got = await client.retrieve(name, { ids: [2, 3] });
        expect(got.find((p) => p.id === 2)!.payload).toEqual({ only: 'this' });
        expect(got.find((p) => p.id === 3)!.payload).toEqual({});
      });

      it('sets payload on the points a filter selects', async () => {
        const name = await peopleCollection();
        await client.setPayload(name, {
          filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] },
          payload: { de: true },
        });
        const got = await client.scroll(name, {
          filter: { must: [{ key: 'de', match: { value: true } }] },
          limit: 100,
        });
        expect(ids(got.points)).toEqual(
          sortIds(people.filter((p) => p.payload.city === 'Berlin').map((p) => p.id)),
        );
      });

      it('applies a batch of update operations in order', async () => {
        const name = await peopleCollection();
        const results = await client.batchUpdate(name, {
          operations: [
            { upsert: { points: [{ id: 100, vector: [1, 1, 1, 1], payload: { city: 'Oslo' } }] } },
            { set_payload: { points: [100], payload: { n: 42 } } },
            { delete: { points: [1] } },
            { delete_payload: { points: [2], keys: ['color'] } },
          ],
        });
        expect(results).toHaveLength(4);
        const got = await client.retrieve(name, { ids: [1, 2, 100] });
        expect(got.find((p) => p.id === 1)).toBeUndefined();
        expect(got.find((p) => p.id === 100)!.payload).toEqual({ city: 'Oslo', n: 42 });
        expect(got.find((p) => p.id === 2)!.payload).not.toHaveProperty('color');
      });

      it('updates and deletes named vectors of existing points', async () => {
        const name = await collection('vectors_ops', {
          vectors: { a: { size: 2, distance: 'Dot' }, b: { size: 2, distance: 'Dot' } },
        });
        await client.upsert(name, { points: [{ id: 1, vector: { a: [1, 2], b: [3, 4] } }] });
        await client.updateVectors(name, { points: [{ id: 1, vector: { a: [5, 6] } }] });
        await client.deleteVectors(name, { points: [1], vector: ['b'] });
        const [one] = await client.retrieve(name, { ids: [1], with_vector: true });
        expect(one!.vector).toEqual({ a: [5, 6] });
      });

      it('scrolls in id order (integers, then UUIDs) page by page', async () => {
        const name = await peopleCollection();
        await client.upsert(name, { points: [{ id: UUID2, vector: [0, 0, 1, 0], payload: {} }] });
        const expected = sortIds([...people.map((p) => p.id), UUID2]);
        const seen: Id[] = [];
        let offset: Id | null | undefined;
        let pages = 0;
        do {
          const page = await client.scroll(name, {
            limit: 3,
            offset: offset ?? undefined,
            with_payload: false,
          });
          seen.push(...ids(page.points));
          offset = page.next_page_offset as Id | null | undefined;
          pages++;
        } while (offset !== null && offset !== undefined && pages < 10);
        expect(seen).toEqual(expected);
        expect(pages).toBe(Math.ceil(expected.length / 3));
      });

      it('counts all points and the points a filter selects', async () => {
        const name = await peopleCollection();
        expect(await client.count(name, { exact: true })).toEqual({ count: people.length });
        expect(
          await client.count(name, {
            exact: true,
            filter: { must: [{ key: 'city', match: { value: 'London' } }] },
          }),
        ).toEqual({ count: people.filter((p) => p.payload.city === 'London').length });
      });
    });

    describe('filters', () => {
      let name: string;
      beforeAll(async () => {
        name = await peopleCollection();
      });
      for (const [title, filter, predicate] of filterCases) {
        it(`selects by ${title}`, async () => {
          const expected = sortIds(people.map((p) => p.id).filter(predicate));
          const page = await client.scroll(name, { filter, limit: 100, with_payload: false });
          expect(ids(page.points)).toEqual(expected);
          expect(await client.count(name, { filter, exact: true })).toEqual({ count: expected.length });
          const hits = await client.query(name, { query, filter, limit: 100 });
          expect(sortIds(ids(hits.points))).toEqual(expected);
        });
      }
    });

    describe('nearest search', () => {
      const cases: Array<[Schemas['Distance'], (a: number[], b: number[]) => number, boolean]> = [
        ['Cosine', cosine, true],
        ['Dot', dot, true],
        ['Euclid', euclid, false],
        ['Manhattan', manhattan, false],
      ];
      for (const [distance, score, larger] of cases) {
        it(`scores and orders by ${distance} as Qdrant does`, async () => {
          const name = await peopleCollection(distance);
          const expected = rank(people, (p) => score(p.vector, query), larger);
          const result = await client.query(name, {
            query,
            limit: people.length,
            params: { hnsw_ef: 128, exact: true },
          });
          expect(ids(result.points)).toEqual(ids(expected));
          result.points.forEach((p, i) => {
            expect(p.score).toBeCloseTo(expected[i]!.score, 5);
          });
        });

        it(`treats score_threshold as a ${larger ? 'lower' : 'upper'} bound for ${distance}`, async () => {
          const name = await peopleCollection(distance);
          const expected = rank(people, (p) => score(p.vector, query), larger);
          // Halfway between the 3rd and 4th scores, so no score sits on the threshold.
          const threshold = (expected[2]!.score + expected[3]!.score) / 2;
          const result = await client.query(name, { query, score_threshold: threshold, limit: 100 });
          expect(ids(result.points)).toEqual(ids(expected.slice(0, 3)));
        });
      }

      it('prints scores as Qdrant prints float32 values (0.8, not 0.800000011920929)', async () => {
        const name = await peopleCollection();
        const axis = [1, 0, 0, 0];
        const result = await client.query(name, { query: axis, filter: { must: [{ has_id: [2] }] } });
        // One non-zero term: the float32 product is float32(0.8), which Qdrant prints as 0.8.
        expect(result.points[0]!.score).toBe(dot(people[1]!.vector, axis));
      });

      it('leaves the point used as the query out of the results, also inside a prefetch', async () => {
        const name = await peopleCollection();
        const byPointOne = rank(
          people.filter((p) => p.id !== 1),
          (p) => dot(p.vector, people[0]!.vector),
        );
        const direct = await client.query(name, { query: 1, limit: people.length });
        expect(ids(direct.points)).toEqual(ids(byPointOne));
        const nearest = await client.query(name, { query: { nearest: 1 }, limit: 2 });
        expect(ids(nearest.points)).toEqual(ids(byPointOne.slice(0, 2)));
        const prefetched = await client.query(name, {
          prefetch: { query: 1, limit: people.length },
          query: { fusion: 'rrf' },
          limit: people.length,
        });
        expect(sortIds(ids(prefetched.points))).toEqual(sortIds(ids(byPointOne)));
      });

      it('pages with limit and offset', async () => {
        const name = await peopleCollection();
        const expected = rank(people, (p) => dot(p.vector, query));
        const result = await client.query(name, { query, limit: 2, offset: 1 });
        expect(ids(result.points)).toEqual(ids(expected.slice(1, 3)));
      });

      it('returns payload by include and exclude lists (nested paths) and vectors on request', async () => {
        const name = await peopleCollection();
        const filter = { must: [{ has_id: [1] }] };
        const [included] = (await client.query(name, { query, filter, with_payload: ['city', 'addr.city'] }))
          .points;
        expect(included!.payload).toEqual({ city: 'London', addr: { city: 'Paris' } });
        const [excluded] = (
          await client.query(name, { query, filter, with_payload: { exclude: ['addr', 'items', 'note'] } })
        ).points;
        const { addr: _a, items: _i, note: _n, ...rest } = pay(1);
        expect(excluded!.payload).toEqual(rest);
        const [bare] = (await client.query(name, { query, filter })).points;
        expect(bare!.payload ?? null).toBeNull();
        expect(bare!.vector ?? null).toBeNull();
        const [withVector] = (await client.query(name, { query, filter, with_vector: true })).points;
        expect(withVector!.vector).toEqual([1, 0, 0, 0]);
      });

      it('answers a batch of queries in order', async () => {
        const name = await peopleCollection();
        const expected = rank(people, (p) => dot(p.vector, query));
        const [a, b] = await client.queryBatch(name, {
          searches: [
            { query, limit: 2 },
            { query, limit: 3, filter: { must: [{ key: 'city', match: { value: 'London' } }] } },
          ],
        });
        expect(ids(a!.points)).toEqual(ids(expected.slice(0, 2)));
        expect(ids(b!.points)).toEqual(ids(expected.filter((e) => pay(e.id).city === 'London').slice(0, 3)));
      });
    });

    describe('hybrid queries', () => {
      const docs = [
        { id: 1, a: [1, 0, 0], b: [0.1, 0.9, 0.2], n: 1, t: '2024-05-30T00:00:00Z' },
        { id: 2, a: [0.9, 0.2, 0.1], b: [0.3, 0.2, 0.7], n: 4, t: '2024-05-01T00:00:00Z' },
        { id: 3, a: [0.6, 0.7, 0.1], b: [0.9, 0.1, 0.05], n: 2.5, t: '2024-01-15T00:00:00Z' },
        { id: 4, a: [0.2, 0.3, 0.9], b: [0.5, 0.5, 0.4], n: 7, t: '2023-06-01T00:00:00Z' },
        { id: 5, a: [0.4, 0.1, 0.5], b: [0.05, 0.3, 0.95], n: 3.2, t: '2024-06-01T00:00:00Z' },
        { id: 6, a: [-0.5, 0.8, 0.3], b: [0.7, 0.65, 0.1], n: 0.5 },
      ];
      const qa = [0.8, 0.3, 0.1];
      const qb = [0.6, 0.3, 0.4];
      let name: string;
      beforeAll(async () => {
        name = await collection('hybrid', {
          vectors: { a: { size: 3, distance: 'Dot' }, b: { size: 3, distance: 'Dot' } },
        });
        await client.upsert(name, {
          points: docs.map((d) => ({
            id: d.id,
            vector: { a: d.a, b: d.b },
            payload: d.t ? { n: d.n, t: d.t } : { n: d.n },
          })),
        });
      });
      const byA = () => rank(docs, (d) => dot(d.a, qa));
      const byB = () => rank(docs, (d) => dot(d.b, qb));
      const prefetch = [
        { query: qa, using: 'a', limit: 4 },
        { query: qb, using: 'b', limit: 4 },
      ];
      // Equal fused scores have no defined order in Qdrant: check scores by id and the order of scores.
      const expectFused = (
        points: Array<{ id: Id; score: number }>,
        expected: Map<Id, number>,
        limit: number,
      ) => {
        const ranked = [...expected].sort((x, y) => y[1] - x[1]).slice(0, limit);
        expect(sortIds(ids(points))).toEqual(sortIds(ranked.map(([id]) => id)));
        for (const p of points) expect(p.score).toBeCloseTo(expected.get(p.id)!, 5);
        for (let i = 1; i < points.length; i++)
          expect(points[i]!.score).toBeLessThanOrEqual(points[i - 1]!.score);
      };

      it('fuses prefetches with RRF (default k = 2)', async () => {
        const result = await client.query(name, { prefetch, query: { fusion: 'rrf' }, limit: 10 });
        expectFused(result.points, rrf([ids(byA().slice(0, 4)), ids(byB().slice(0, 4))]), 10);
      });

      it('fuses with RRF using k and per-prefetch weights', async () => {
        const result = await client.query(name, {
          prefetch,
          query: { rrf: { k: 5, weights: [3, 1] } },
          limit: 5,
        });
        expectFused(result.points, rrf([ids(byA().slice(0, 4)), ids(byB().slice(0, 4))], 5, [3, 1]), 5);
      });

      it('fuses prefetches with DBSF', async () => {
        const result = await client.query(name, { prefetch, query: { fusion: 'dbsf' }, limit: 10 });
        expectFused(result.points, dbsf([byA().slice(0, 4), byB().slice(0, 4)]), 10);
      });

      it('scores a point the same in a prefetch stage as in a plain query', async () => {
        const plain = await client.query(name, { query: qa, using: 'a', limit: docs.length });
        const staged = await client.query(name, {
          prefetch: { query: qb, using: 'b', limit: docs.length },
          query: qa,
          using: 'a',
          limit: docs.length,
        });
        const scores = (points: Array<{ id: Id; score: number }>) =>
          new Map(points.map((p) => [p.id, p.score]));
        expect(scores(staged.points)).toEqual(scores(plain.points));
        expect(ids(staged.points)).toEqual(ids(plain.points));
      });

      it('rescores nested prefetches stage by stage', async () => {
        const result = await client.query(name, {
          prefetch: [{ prefetch: [{ query: qa, using: 'a', limit: 5 }], query: qb, using: 'b', limit: 3 }],
          query: qa,
          using: 'a',
          limit: 10,
        });
        const firstFive = new Set(ids(byA().slice(0, 5)));
        const topThreeByB = byB()
          .filter((h) => firstFive.has(h.id))
          .slice(0, 3);
        const finalIds = new Set(ids(topThreeByB));
        const expected = byA().filter((h) => finalIds.has(h.id));
        expect(ids(result.points)).toEqual(ids(expected));
        result.points.forEach((p, i) => {
          expect(p.score).toBeCloseTo(expected[i]!.score, 5);
        });
      });

      it('applies the outer filter to prefetches', async () => {
        const filter = { must: [{ key: 'n', range: { gte: 2 } }] };
        const result = await client.query(name, { prefetch, query: { fusion: 'rrf' }, filter, limit: 10 });
        const keep = (h: { id: Id }) => docs.find((d) => d.id === h.id)!.n >= 2;
        expectFused(
          result.points,
          rrf([ids(byA().filter(keep).slice(0, 4)), ids(byB().filter(keep).slice(0, 4))]),
          10,
        );
      });

      it('rescores with a formula: gauss and linear decays over a number', async () => {
        const result = await client.query(name, {
          prefetch: { query: qa, using: 'a', limit: 6 },
          query: {
            formula: {
              sum: [
                '$score',
                { mult: [0.5, { gauss_decay: { x: 'n', target: 3, scale: 2 } }] },
                { lin_decay: { x: 'n', target: 0, scale: 10, midpoint: 0.2 } },
              ],
            },
          },
          limit: 6,
        });
        const expected = rank(
          docs,
          (d) => dot(d.a, qa) + 0.5 * gaussDecay(d.n, 3, 2) + linDecay(d.n, 0, 10, 0.2),
        );
        expect(ids(result.points)).toEqual(ids(expected));
        result.points.forEach((p, i) => {
          expect(p.score).toBeCloseTo(expected[i]!.score, 4);
        });
      });

      it('boosts recency with exp_decay over a datetime payload field, with defaults for missing values', async () => {
        const now = '2024-06-01T00:00:00Z';
        const day = 86_400;
        const result = await client.query(name, {
          prefetch: { query: qa, using: 'a', limit: 6 },
          query: {
            formula: {
              mult: [
                '$score',
                { exp_decay: { x: { datetime_key: 't' }, target: { datetime: now }, scale: 30 * day } },
              ],
            },
            defaults: { t: '2020-01-01T00:00:00Z' },
          },
          limit: 6,
        });
        const seconds = (s: string) => Date.parse(s) / 1000;
        const expected = rank(
          docs,
          (d) => dot(d.a, qa) * expDecay(seconds(d.t ?? '2020-01-01T00:00:00Z'), seconds(now), 30 * day),
        );
        expect(ids(result.points)).toEqual(ids(expected));
        result.points.forEach((p, i) => {
          expect(p.score).toBeCloseTo(expected[i]!.score, 4);
        });
      });
    });

    answerCases({ target: () => target, collection });
    exploreCases({ target: () => target, collection });
    groupCases({ target: () => target, collection });
    collectionUpdateCases({ target: () => target, collection });
    conditionCases({ target: () => target, collection });
    snapshotCases({ target: () => target, collection });
    multivectorCases({ target: () => target, collection });

    describe('bad input leaves the collection unchanged', () => {
      let name: string;
      beforeAll(async () => {
        name = await peopleCollection();
      });
      afterAll(async () => {
        // Every rejected request above must have left the data as it was.
        expect((await client.count(name)).count).toBe(people.length);
        const all = await client.scroll(name, { limit: 100, with_vector: true });
        for (const p of all.points) {
          expect(p.payload).toEqual(pay(p.id));
          expectVector(p.vector, byId.get(p.id)!.vector);
        }
      });

      it('rejects a vector of the wrong dimension with 400', async () => {
        await expectQdrantError(
          client.upsert(name, {
            points: [
              { id: 1, vector: [1, 2, 3] },
              { id: 50, vector: [1, 2, 3, 4] },
            ],
          }),
          400,
          /Wrong input: Vector dimension error: expected dim: 4, got 3/,
        );
        await expectQdrantError(
          client.query(name, { query: [1, 2] }),
          400,
          /Vector dimension error: expected dim: 4, got 2/,
        );
      });

      it('rejects NaN and infinite components with 400', async () => {
        await expectQdrantError(
          client.upsert(name, { points: [{ id: 1, vector: [Number.NaN, 0, 0, 0] }] }),
          400,
          /Format error in JSON body/,
        );
        await expectQdrantError(
          client.upsert(name, { points: [{ id: 1, vector: [Number.POSITIVE_INFINITY, 0, 0, 0] }] }),
          400,
          /Format error in JSON body/,
        );
      });

      it('answers 404 for points of an unknown collection', async () => {
        await expectQdrantError(
          client.upsert(uniqueName('nowhere'), { points: [{ id: 1, vector: [1, 2, 3, 4] }] }),
          404,
          /Not found: Collection `.+` doesn't exist!/,
        );
      });

      it('rejects a malformed filter with 400', async () => {
        await expectQdrantError(
          client.query(name, { query, filter: { must: [{ key: 'city', match: { nope: 1 } }] } as never }),
          400,
          /Format error in JSON body/,
        );
        await expectQdrantError(
          client.delete(name, { filter: { must: [{ key: 'n', range: { gte: 'soon' } }] } as never }),
          400,
          /Format error in JSON body/,
        );
      });

      it('rejects an invalid point id with 400', async () => {
        await expectQdrantError(
          client.upsert(name, { points: [{ id: 'not-a-uuid', vector: [1, 2, 3, 4] }] }),
          400,
          /Format error in JSON body: .*not-a-uuid/,
        );
        await expectQdrantError(
          client.upsert(name, { points: [{ id: -3, vector: [1, 2, 3, 4] }] }),
          400,
          /Format error in JSON body/,
        );
      });

      it('rejects a malformed payload path with 400', async () => {
        await expectQdrantError(
          client.setPayload(name, { points: [1], payload: { x: 1 }, key: 'addr..city' }),
          400,
          /Format error in JSON body/,
        );
        await expectQdrantError(
          client.deletePayload(name, { points: [1], keys: ['items[x]'] }),
          400,
          /Format error in JSON body/,
        );
      });
    });
  });
}
