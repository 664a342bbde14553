// Bad input at every public entry point of @monsteros/vectors, against the local engine in process:
// a typed VALIDATION error naming the field, fast (no oversized input reaches the engine), and
// nothing written. Examples of the size limits first, then fast-check properties (1,000 cases per
// entry point), then the local engine's sparse vectors (Qdrant's own statuses, with the field).
import { randomUUID } from 'node:crypto';
import { createLocalQdrantClient, LocalQdrant, LocalQdrantError } from '@monsteros/qdrant-local';
import { badInput, thrownBy } from '@monsteros/schema/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CharacterMemoryPayload,
  COLLECTION_NAMES,
  createVectors,
  SPARSE_VECTOR,
  VECTORS_LIMITS,
  type Vectors,
  VectorsValidationError,
} from '../../src/index.js';

const RUNS = 1_000;
const DIMS = 8;
let engine: LocalQdrant;
let vectors: Vectors;
/** Requests the engine received (through the client), to show a refused input never reached it. */
let requests = 0;

const memory = (over: Partial<CharacterMemoryPayload> = {}): CharacterMemoryPayload => ({
  interaction_id: randomUUID(),
  character_name: 'sage',
  memory_type: 'fact',
  user_context: '',
  learning_value: 0.5,
  timestamp: '2026-01-01T00:00:00.000Z',
  ...over,
});

beforeAll(async () => {
  engine = await LocalQdrant.open(':memory:');
  vectors = await createVectors({
    qdrant: { client: countingClient(createLocalQdrantClient(engine)) },
    collections: {
      memory_embeddings: { dims: DIMS },
      character_memories: { dims: DIMS },
      document_vectors: { dims: DIMS },
    },
  });
  await vectors.ensureCollections();
  await vectors.upsert('character_memories', [
    { text: 'Recursion is a function calling itself until a base case.', payload: memory() },
    { text: 'Stoics practise the dichotomy of control.', payload: memory() },
  ]);
});
afterAll(async () => {
  await vectors?.close();
  await engine?.close();
});

function countingClient<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        requests++;
        return value.apply(target, args);
      };
    },
  });
}

/** Every point and every vector of every collection, as one string: what "nothing written" compares. */
async function everything(): Promise<string> {
  const parts: string[] = [];
  for (const name of COLLECTION_NAMES) {
    const { points } = await vectors.client.scroll(vectors.collectionName(name), {
      limit: 10_000,
      with_payload: true,
      with_vector: true,
    });
    parts.push(JSON.stringify(points.sort((a, b) => String(a.id).localeCompare(String(b.id)))));
  }
  return parts.join('\n');
}

/** The call is refused with a VectorsValidationError whose field starts with `field`. */
async function refused(fn: () => Promise<unknown>, field: string): Promise<VectorsValidationError> {
  const error = await thrownBy(fn);
  expect(error, `${field}: accepted`).toBeInstanceOf(VectorsValidationError);
  const v = error as VectorsValidationError;
  expect(v.code).toBe('VALIDATION');
  expect(v.field.startsWith(field), `${v.field} should start with ${field}`).toBe(true);
  return v;
}

const MB10 = 'k'.repeat(10_000_000);

describe('size limits: refused before any request, naming the field', () => {
  it.each<[string, string, () => Promise<unknown>]>([
    [
      'a 10 MB filter key in a search',
      'filter.must[0].key',
      () =>
        vectors.search('character_memories', 'recursion', {
          filter: { must: [{ key: MB10, match: { value: 'x' } }] },
        }),
    ],
    [
      'a 10 MB filter value in deleteByFilter',
      'filter.must[0].match.value',
      () => vectors.deleteByFilter('character_memories', { must: [{ key: 'k', match: { value: MB10 } }] }),
    ],
    [
      'a filter of 20,000 conditions',
      'filter.should',
      () =>
        vectors.characterContextSearch('recursion', {
          character: 'sage',
          filter: { should: Array.from({ length: 20_000 }, () => ({ key: 'k', match: { value: 1 } })) },
        }),
    ],
    ['a 10 MB query', 'query', () => vectors.search('character_memories', MB10)],
    [
      'a 10 MB character name',
      'character',
      () => vectors.search('character_memories', 'x', { character: MB10 }),
    ],
    [
      'a 10 MB payload',
      'records[0].payload',
      () => vectors.upsert('character_memories', [{ text: 'hi', payload: memory({ user_context: MB10 }) }]),
    ],
    [
      'a 10 MB text to embed',
      'records[1].text',
      () =>
        vectors.upsert('character_memories', [
          { text: 'fine', payload: memory() },
          { text: MB10, payload: memory() },
        ]),
    ],
    [
      'a vector of 10 million dimensions',
      'records[0].vector',
      () =>
        vectors.upsert('character_memories', [{ vector: new Float32Array(10_000_000), payload: memory() }]),
    ],
    [
      'more records than one call takes',
      'records',
      () => vectors.upsert('character_memories', new Array(VECTORS_LIMITS.upsertRecords + 1)),
    ],
    [
      'more source ids than one delete takes',
      'sourceIds',
      () => vectors.deleteBySourceIds('character_memories', new Array(VECTORS_LIMITS.sourceIds + 1)),
    ],
    [
      'more characters than one search takes',
      'characters',
      () =>
        vectors.crossCharacterSearch('x', {
          characters: Array.from({ length: VECTORS_LIMITS.characters + 1 }, (_, i) => `c${i}`),
        }),
    ],
    [
      'more texts than one embed call takes',
      'texts',
      () => vectors.embed('character_memories', new Array(10_001).fill('a')),
    ],
  ])('%s', async (_what, field, call) => {
    const before = await everything();
    const sent = requests;
    await refused(call, field);
    // Refused before any request: the 10 MB filter key used to reach the engine and stall it for seconds.
    expect(requests).toBe(sent);
    expect(await everything()).toBe(before);
  });

  it('splits a write into requests that stay under Qdrant’s 32 MB body limit', async () => {
    // 40 payloads of ~0.9 MB: 36 MB in all, one batch by count (256) but three by size (16 MB each).
    const big = 'w'.repeat(900_000);
    const records = Array.from({ length: 40 }, () => ({
      vector: Array.from({ length: DIMS }, (_, i) => (i === 0 ? 1 : 0)),
      payload: memory({ user_context: big }),
    }));
    const result = await vectors.upsert('character_memories', records);
    expect(result.points).toBe(40);
    expect(result.batches).toBe(3);
    await vectors.deleteBySourceIds(
      'character_memories',
      records.map((r) => r.payload.interaction_id),
    );
  });
});

/** A string too long for where it goes: just past the limit, or far past it. */
const tooLong = (limit: number) =>
  fc
    .oneof(
      { weight: 9, arbitrary: fc.integer({ min: limit + 1, max: 2 * limit }) },
      { weight: 1, arbitrary: fc.constant(10_000_000) },
    )
    .map((n) => 'x'.repeat(n));

/** A filter breaking one rule: unstorable data inside, a huge key or value, too many conditions, not an object. */
const badFilter = (): fc.Arbitrary<{ description: string; make: () => unknown }> =>
  fc.oneof(
    badInput().map((bad) => ({
      description: `${bad.description} inside`,
      make: () => ({ must: [{ key: 'memory_type', match: { value: bad.make() } }] }),
    })),
    tooLong(VECTORS_LIMITS.filterKeyChars).map((key) => ({
      description: `key of ${key.length}`,
      make: () => ({ must: [{ key, match: { value: 'x' } }] }),
    })),
    tooLong(VECTORS_LIMITS.filterChars).map((value) => ({
      description: `value of ${value.length}`,
      make: () => ({ should: [{ key: 'k', match: { text: value } }] }),
    })),
    fc.integer({ min: VECTORS_LIMITS.filterNodes, max: VECTORS_LIMITS.filterNodes + 1_000 }).map((n) => ({
      description: `${n} conditions`,
      make: () => ({ must_not: Array.from({ length: n }, (_, i) => ({ key: 'k', match: { value: i } })) }),
    })),
    fc.constantFrom<unknown>(null, 42, 'must', [], [{ key: 'k' }]).map((v) => ({
      description: JSON.stringify(v),
      make: () => v,
    })),
  );

/** A query that is neither a storable text within the limit nor a vector of the right size. */
const badQuery = (): fc.Arbitrary<{ description: string; make: () => unknown }> =>
  fc.oneof(
    badInput(),
    tooLong(VECTORS_LIMITS.textChars).map((q) => ({ description: `text of ${q.length}`, make: () => q })),
    fc.constantFrom('', '   ', '\n').map((q) => ({ description: JSON.stringify(q), make: () => q })),
    fc
      .array(fc.double(), { maxLength: 64 })
      .filter((v) => v.length !== DIMS)
      .map((v) => ({ description: `vector of ${v.length}`, make: () => ({ vector: v }) })),
    fc.tuple(fc.nat({ max: DIMS - 1 }), fc.constantFrom(Number.NaN, Infinity, -Infinity)).map(([i, x]) => ({
      description: `${x} at ${i}`,
      make: () => ({ vector: Array.from({ length: DIMS }, (_, j) => (j === i ? x : 0.1)) }),
    })),
  );

type EntryPoint = [
  name: string,
  field: string,
  bad: fc.Arbitrary<{ description: string; make: () => unknown }>,
  call: (bad: unknown) => Promise<unknown>,
];
const b = (bad: unknown) => bad as never;
const valid = () => ({ vector: Array.from({ length: DIMS }, () => 0.5), payload: memory() });

/** A record breaking one rule, at `records[i]` among valid ones. */
const badRecord = (): fc.Arbitrary<{ description: string; make: () => unknown }> =>
  fc.oneof(
    badInput().map((bad) => ({
      description: `payload extra ${bad.description}`,
      make: () => ({ ...valid(), payload: { ...memory(), extra: bad.make() } }),
    })),
    tooLong(VECTORS_LIMITS.payloadBytes).map((s) => ({
      description: `payload of ${s.length}`,
      make: () => ({ ...valid(), payload: memory({ user_context: s }) }),
    })),
    tooLong(VECTORS_LIMITS.textChars).map((s) => ({
      description: `text of ${s.length}`,
      make: () => ({ text: s, payload: memory() }),
    })),
    badInput().map((bad) => ({
      description: `text ${bad.description}`,
      make: () => ({ text: bad.make(), payload: memory() }),
    })),
    fc
      .oneof(fc.nat({ max: 100_000 }), fc.constant(10_000_000))
      .filter((n) => n !== DIMS)
      .map((n) => ({
        description: `vector of ${n}`,
        make: () => ({ vector: new Float32Array(n), payload: memory() }),
      })),
    fc.tuple(fc.nat({ max: DIMS - 1 }), fc.constantFrom(Number.NaN, Infinity, -Infinity)).map(([i, x]) => ({
      description: `${x} at ${i}`,
      make: () => ({
        vector: Array.from({ length: DIMS }, (_, j) => (j === i ? x : 0.1)),
        payload: memory(),
      }),
    })),
    fc.constantFrom<unknown>('not-a-uuid', 42, '').map((id) => ({
      description: `sourceId ${String(id)}`,
      make: () => ({ ...valid(), sourceId: id }),
    })),
    fc.constantFrom<unknown>(-1, 0.5, 2 ** 40, Number.NaN).map((chunk) => ({
      description: `chunk ${String(chunk)}`,
      make: () => ({ ...valid(), chunk }),
    })),
    fc
      .constantFrom<unknown>(null, 'record', {})
      .map((r) => ({ description: JSON.stringify(r), make: () => r })),
  );

const entryPoints: EntryPoint[] = [
  [
    'upsert',
    'records[',
    fc.tuple(fc.nat({ max: 4 }), badRecord()).map(([at, bad]) => ({
      description: `${bad.description} at ${at}`,
      make: () => {
        const records: unknown[] = Array.from({ length: 5 }, valid);
        records[at] = bad.make();
        return records;
      },
    })),
    (records) => vectors.upsert('character_memories', b(records)),
  ],
  [
    'search (query)',
    'query',
    badQuery(),
    (q) => vectors.search('character_memories', b(q), { mode: 'hybrid' }),
  ],
  [
    'search (filter)',
    'filter',
    badFilter(),
    (f) => vectors.search('memory_embeddings', 'recursion', { filter: b(f) }),
  ],
  [
    'search (character)',
    'character',
    fc.oneof(
      badInput(),
      tooLong(VECTORS_LIMITS.characterChars).map((c) => ({ description: `${c.length}`, make: () => c })),
    ),
    (c) => vectors.search('document_vectors', 'recursion', { mode: 'sparse', character: b(c) }),
  ],
  [
    'characterContextSearch (query)',
    'query',
    badQuery(),
    (q) => vectors.characterContextSearch(b(q), { character: 'sage' }),
  ],
  [
    'characterContextSearch (filter)',
    'filter',
    badFilter(),
    (f) => vectors.characterContextSearch('recursion', { character: 'sage', filter: b(f) }),
  ],
  [
    'characterContextSearch (memoryTypes)',
    'memoryTypes',
    fc.oneof(
      badInput().map((bad) => ({ description: bad.description, make: () => ['fact', bad.make()] })),
      fc
        .integer({ min: VECTORS_LIMITS.memoryTypes + 1, max: 5_000 })
        .map((n) => ({ description: `${n}`, make: () => new Array(n).fill('fact') })),
    ),
    (t) => vectors.characterContextSearch('recursion', { character: 'sage', memoryTypes: b(t) }),
  ],
  ['hippoRagMemorySearch (query)', 'query', badQuery(), (q) => vectors.hippoRagMemorySearch(b(q))],
  [
    'hippoRagMemorySearch (filters)',
    'filters.',
    fc.tuple(fc.constantFrom('memory_embeddings', 'character_memories'), badFilter()).map(([c, f]) => ({
      description: `${c}: ${f.description}`,
      make: () => ({ [c]: f.make() }),
    })),
    (f) => vectors.hippoRagMemorySearch('recursion', { filters: b(f) }),
  ],
  [
    'crossCharacterSearch (query)',
    'query',
    badQuery(),
    (q) => vectors.crossCharacterSearch(b(q), { characters: ['sage'] }),
  ],
  [
    'crossCharacterSearch (characters)',
    'characters',
    fc.oneof(
      badInput().map((bad) => ({ description: bad.description, make: () => ['sage', bad.make()] })),
      tooLong(VECTORS_LIMITS.characterChars).map((c) => ({
        description: `${c.length}`,
        make: () => ['sage', c],
      })),
      fc.integer({ min: VECTORS_LIMITS.characters + 1, max: 5_000 }).map((n) => ({
        description: `${n} characters`,
        make: () => Array.from({ length: n }, (_, i) => `c${i}`),
      })),
    ),
    (c) => vectors.crossCharacterSearch('recursion', { characters: b(c) }),
  ],
  ['deleteByFilter', 'filter', badFilter(), (f) => vectors.deleteByFilter('character_memories', b(f))],
  [
    'deleteBySourceIds',
    'sourceIds',
    fc.oneof(
      badInput().map((bad) => ({ description: bad.description, make: () => [randomUUID(), bad.make()] })),
      fc.integer({ min: VECTORS_LIMITS.sourceIds + 1, max: 3 * VECTORS_LIMITS.sourceIds }).map((n) => ({
        description: `${n} ids`,
        make: () => new Array(n),
      })),
    ),
    (ids) => vectors.deleteBySourceIds('character_memories', b(ids)),
  ],
  [
    'embed',
    'texts',
    fc.oneof(
      badInput().map((bad) => ({ description: bad.description, make: () => ['fine', bad.make()] })),
      tooLong(VECTORS_LIMITS.textChars).map((t) => ({ description: `${t.length}`, make: () => [t] })),
    ),
    (t) => vectors.embed('memory_embeddings', b(t)),
  ],
];

describe(`property: every entry point refuses bad input, naming the field and writing nothing (${RUNS} cases each)`, () => {
  it.each(entryPoints.map((e) => [e[0], e] as const))('%s', async (_name, entry) => {
    const [, field, bad, call] = entry;
    const before = await everything();
    const sent = requests;
    await fc.assert(
      fc.asyncProperty(bad, async (input) => {
        await refused(() => call(input.make()), field);
      }),
      { numRuns: RUNS },
    );
    expect(requests).toBe(sent);
    expect(await everything()).toBe(before);
  });
});

describe(`property: sparse vectors in the local engine, as Qdrant answers them (${RUNS} cases each)`, () => {
  const collection = () => vectors.collectionName('character_memories');
  const dense = () => Array.from({ length: DIMS }, () => 0.25);
  const sparseOf = (indices: unknown[], values: unknown[]) => ({ indices, values });

  /** A sparse vector breaking one of Qdrant's rules, with the status and the field Qdrant names. */
  const badSparse = (): fc.Arbitrary<{
    description: string;
    sparse: unknown;
    status: number;
    field: RegExp;
  }> =>
    fc.oneof(
      // Duplicate indices: 422.
      fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 20 }).chain((indices) =>
        fc.nat({ max: indices.length - 1 }).map((dup) => {
          const withDup = [...indices, indices[dup]!];
          return {
            description: `duplicate ${indices[dup]}`,
            sparse: sparseOf(
              withDup,
              withDup.map(() => 1),
            ),
            status: 422,
            field: /\.indices$/,
          };
        }),
      ),
      // Values and indices of different lengths: 422.
      fc
        .tuple(fc.uniqueArray(fc.nat({ max: 1_000 }), { maxLength: 20 }), fc.integer({ min: -5, max: 5 }))
        .filter(([indices, d]) => d !== 0 && indices.length + d >= 0)
        .map(([indices, d]) => ({
          description: `${indices.length} indices, ${indices.length + d} values`,
          sparse: sparseOf(
            indices,
            Array.from({ length: indices.length + d }, () => 0.5),
          ),
          status: 422,
          field: /\.values$/,
        })),
      // Non-finite values: 400.
      fc
        .tuple(
          fc.uniqueArray(fc.nat({ max: 1_000 }), { minLength: 1, maxLength: 20 }),
          fc.constantFrom(Number.NaN, Infinity, -Infinity),
        )
        .chain(([indices, x]) =>
          fc.nat({ max: indices.length - 1 }).map((at) => ({
            description: `${x} at ${at}`,
            sparse: sparseOf(
              indices,
              indices.map((_, i) => (i === at ? x : 1)),
            ),
            status: 400,
            field: /\.values\[\d+\]$/,
          })),
        ),
      // Indices that are not u32: beyond 2^32 − 1, negative, fractional, not numbers: 400.
      fc
        .oneof(
          fc.double({ min: 2 ** 32, max: 2 ** 60, noNaN: true }).map(Math.floor),
          fc.integer({ min: -(2 ** 31), max: -1 }),
          fc.double({ min: 0.01, max: 1_000, noNaN: true }).filter((x) => !Number.isInteger(x)),
          fc.constantFrom<unknown>('1', null, true),
        )
        .map((index) => ({
          description: `index ${String(index)}`,
          sparse: sparseOf([3, index], [1, 1]),
          status: 400,
          field: /\.indices\[1\]$/,
        })),
    );

  it('upsert: a bad sparse vector is refused with Qdrant’s status and the field, the point untouched', async () => {
    const id = randomUUID();
    await vectors.client.upsert(collection(), {
      wait: true,
      points: [
        { id, vector: { '': dense(), [SPARSE_VECTOR]: { indices: [1], values: [1] } }, payload: memory() },
      ],
    });
    const before = await everything();
    await fc.assert(
      fc.asyncProperty(badSparse(), async (bad) => {
        const error = await vectors.client
          .upsert(collection(), {
            wait: true,
            points: [
              { id, vector: { '': dense(), [SPARSE_VECTOR]: bad.sparse as never }, payload: memory() },
            ],
          })
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error, bad.description).toBeInstanceOf(LocalQdrantError);
        expect((error as LocalQdrantError).status).toBe(bad.status);
        expect((error as LocalQdrantError).field).toMatch(/^points\[0\]\.vector\.\?/);
        expect((error as LocalQdrantError).field).toMatch(bad.field);
      }),
      { numRuns: RUNS },
    );
    expect(await everything()).toBe(before);
    await vectors.client.delete(collection(), { wait: true, points: [id] });
  });

  it('query: a bad sparse query is refused with Qdrant’s status and the field', async () => {
    await fc.assert(
      fc.asyncProperty(badSparse(), async (bad) => {
        const error = await vectors.client
          .query(collection(), { query: bad.sparse as never, using: SPARSE_VECTOR, limit: 3 })
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error, bad.description).toBeInstanceOf(LocalQdrantError);
        expect((error as LocalQdrantError).status).toBe(bad.status);
        expect((error as LocalQdrantError).field).toMatch(/^query\.\?/);
        expect((error as LocalQdrantError).field).toMatch(bad.field);
      }),
      { numRuns: RUNS },
    );
  });

  it('unsorted, duplicate-free indices are accepted and stored sorted, as Qdrant does', async () => {
    const id = randomUUID();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 30 }),
        async (indices) => {
          const values = indices.map((i) => (i % 97) + 1);
          await vectors.client.upsert(collection(), {
            wait: true,
            points: [
              { id, vector: { '': dense(), [SPARSE_VECTOR]: { indices, values } }, payload: memory() },
            ],
          });
          const [point] = await vectors.client.retrieve(collection(), { ids: [id], with_vector: true });
          const stored = (point!.vector as Record<string, { indices: number[]; values: number[] }>)[
            SPARSE_VECTOR
          ]!;
          const order = indices.map((_, n) => n).sort((a, c) => indices[a]! - indices[c]!);
          expect(stored.indices).toEqual(order.map((n) => indices[n]));
          expect(stored.values).toEqual(order.map((n) => values[n]));
        },
      ),
      { numRuns: RUNS },
    );
    await vectors.client.delete(collection(), { wait: true, points: [id] });
  });

  it('unknown vector names, in an upsert or a query, are refused naming the vector, nothing written', async () => {
    const before = await everything();
    const name = fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== '' && n !== SPARSE_VECTOR);
    await fc.assert(
      fc.asyncProperty(name, fc.boolean(), async (n, sparse) => {
        const vector = sparse ? { indices: [1, 2], values: [0.5, 0.5] } : dense();
        const upsert = await vectors.client
          .upsert(collection(), {
            wait: true,
            points: [{ id: randomUUID(), vector: { '': dense(), [n]: vector }, payload: memory() }],
          })
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(upsert).toBeInstanceOf(LocalQdrantError);
        expect((upsert as LocalQdrantError).status).toBe(400);
        expect((upsert as LocalQdrantError).field).toBe(`vector.${n}`);
        const query = await vectors.client.query(collection(), { query: vector, using: n, limit: 1 }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(query).toBeInstanceOf(LocalQdrantError);
        expect((query as LocalQdrantError).status).toBe(400);
        expect((query as LocalQdrantError).field).toBe(`vector.${n}`);
      }),
      { numRuns: RUNS },
    );
    expect(await everything()).toBe(before);
  });
});
