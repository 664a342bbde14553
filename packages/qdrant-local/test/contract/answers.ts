import type { Schemas } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import type { ContractTarget, Rest, RestAnswer } from './targets.js';
import { expectQdrantError, uniqueName } from './targets.js';

/** What a group of contract cases needs from the suite: the target and its collection helper. */
export interface SuiteContext {
  target(): ContractTarget;
  collection(tag: string, config?: Schemas['CreateCollection']): Promise<string>;
}

/** The error text of a raw REST answer in Qdrant's `{status: {error}}` shape. */
export const errorOf = (a: RestAnswer): string =>
  String((a.json as { status?: { error?: string } } | null)?.status?.error ?? a.text);

/** The `result` of a raw REST answer, after checking it is a 200. */
export function resultOf<T = unknown>(a: RestAnswer): T {
  expect({ status: a.status, body: a.status === 200 ? '' : a.text }).toEqual({ status: 200, body: '' });
  return (a.json as { result: T }).result;
}

const U64_MAX = '18446744073709551615';
const ABOVE_2_53 = '9007199254740993';

/**
 * Round 2 of the contract: answers that used to differ from Qdrant's (update_filter on vector
 * updates, the with_vectors alias, u64 ids and integers beyond 2^53, huge limits) and the
 * status codes and texts of the validations Qdrant makes.
 */
export function answerCases(ctx: SuiteContext): void {
  const rest: Rest = (...args) => ctx.target().rest(...args);
  const client = () => ctx.target().client;

  async function twoPoints(tag: string): Promise<string> {
    const name = await ctx.collection(tag, { vectors: { size: 4, distance: 'Dot' } });
    await client().upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0, 0, 0], payload: { color: 'green' } },
        { id: 2, vector: [0, 1, 0, 0], payload: { color: 'red' } },
      ],
    });
    return name;
  }

  describe('answers as Qdrant answers', () => {
    it('updates vectors only where update_filter matches (PUT /points/vectors)', async () => {
      const name = await twoPoints('update_filter');
      resultOf(
        await rest('PUT', `/collections/${name}/points/vectors?wait=true`, {
          points: [
            { id: 1, vector: [0, 0, 0, 1] },
            { id: 2, vector: [0, 0, 0, 1] },
          ],
          update_filter: { must: [{ key: 'color', match: { value: 'red' } }] },
        }),
      );
      const points = await client().retrieve(name, { ids: [1, 2], with_vector: true });
      const vectors = Object.fromEntries(points.map((p) => [p.id, p.vector]));
      expect(vectors).toEqual({ 1: [1, 0, 0, 0], 2: [0, 0, 0, 1] });
    });

    it('takes with_vectors as the alias of with_vector on scroll, retrieve and query', async () => {
      const name = await twoPoints('with_vectors');
      const scrolled = resultOf<Schemas['ScrollResult']>(
        await rest('POST', `/collections/${name}/points/scroll`, { limit: 1, with_vectors: true }),
      );
      expect(scrolled.points[0]?.vector).toEqual([1, 0, 0, 0]);
      const retrieved = resultOf<Schemas['Record'][]>(
        await rest('POST', `/collections/${name}/points`, { ids: [2], with_vectors: true }),
      );
      expect(retrieved[0]?.vector).toEqual([0, 1, 0, 0]);
      const queried = resultOf<Schemas['QueryResponse']>(
        await rest('POST', `/collections/${name}/points/query`, {
          query: [0, 1, 0, 0],
          limit: 1,
          with_vectors: true,
        }),
      );
      expect(queried.points[0]).toMatchObject({ id: 2, vector: [0, 1, 0, 0] });
    });

    it('keeps u64 ids and payload integers beyond 2^53 exact, in every answer', async () => {
      const name = await ctx.collection('u64', { vectors: { size: 4, distance: 'Dot' } });
      // Written as text: JavaScript numbers cannot hold these values.
      const body = `{"points":[
        {"id":${U64_MAX},"vector":[1,0,0,0],"payload":{"big":12345678901234567890,"neg":-9223372036854775808}},
        {"id":${ABOVE_2_53},"vector":[0,1,0,0],"payload":{"big":${ABOVE_2_53}}},
        {"id":7,"vector":[0,0,1,0],"payload":{"big":7}}]}`;
      resultOf(await rest('PUT', `/collections/${name}/points?wait=true`, body));
      const scrolled = await rest('POST', `/collections/${name}/points/scroll`, { with_payload: true });
      const ids = resultOf<{ points: Array<{ id: unknown }> }>(scrolled).points.map((p) => String(p.id));
      expect(ids).toEqual(['7', ABOVE_2_53, U64_MAX]);
      expect(scrolled.text).toContain(`"id":${U64_MAX}`);
      expect(scrolled.text).toContain('"big":12345678901234567890');
      expect(scrolled.text).toContain('"neg":-9223372036854775808');
      const one = await rest('GET', `/collections/${name}/points/${U64_MAX}`);
      expect(one.status).toBe(200);
      expect(one.text).toContain(`"id":${U64_MAX}`);
      const counted = await rest(
        'POST',
        `/collections/${name}/points/count`,
        `{"filter":{"must":[{"key":"big","match":{"value":12345678901234567890}}]},"exact":true}`,
      );
      expect(resultOf(counted)).toEqual({ count: 1 });
      const ranged = await rest(
        'POST',
        `/collections/${name}/points/count`,
        `{"filter":{"must":[{"key":"big","range":{"gt":${ABOVE_2_53.replace(/3$/, '2')}}}]},"exact":true}`,
      );
      expect(resultOf(ranged)).toEqual({ count: 2 });
      const deleted = await rest(
        'POST',
        `/collections/${name}/points/delete?wait=true`,
        `{"points":[${U64_MAX}]}`,
      );
      resultOf(deleted);
      expect((await client().count(name)).count).toBe(2);
      // Beyond u64 is not an id.
      const tooBig = await rest(
        'PUT',
        `/collections/${name}/points`,
        '{"points":[{"id":18446744073709551616,"vector":[1,0,0,0]}]}',
      );
      expect(tooBig.status).toBe(400);
      expect(errorOf(tooBig)).toMatch(/^Format error in JSON body: /);
    });

    it('answers every point for a limit or offset of u64::MAX or 2^32, allocating nothing up front', async () => {
      const name = await twoPoints('huge_limit');
      const all = await rest(
        'POST',
        `/collections/${name}/points/query`,
        `{"query":[1,1,0,0],"limit":${U64_MAX}}`,
      );
      expect(
        resultOf<Schemas['QueryResponse']>(all)
          .points.map((p) => p.id)
          .sort(),
      ).toEqual([1, 2]);
      const filtered = await rest(
        'POST',
        `/collections/${name}/points/query`,
        `{"limit":4294967296,"filter":{"must":[{"key":"color","match":{"value":"red"}}]}}`,
      );
      expect(resultOf<Schemas['QueryResponse']>(filtered).points.map((p) => p.id)).toEqual([2]);
      const scrolled = await rest('POST', `/collections/${name}/points/scroll`, `{"limit":${U64_MAX}}`);
      expect(resultOf<Schemas['ScrollResult']>(scrolled).points).toHaveLength(2);
      const past = await rest(
        'POST',
        `/collections/${name}/points/query`,
        `{"query":[1,0,0,0],"offset":${U64_MAX}}`,
      );
      expect(resultOf<Schemas['QueryResponse']>(past).points).toEqual([]);
      const search = await rest(
        'POST',
        `/collections/${name}/points/search`,
        `{"vector":[1,0,0,0],"limit":4294967296}`,
      );
      expect(resultOf<unknown[]>(search)).toHaveLength(2);
    });

    it('refuses limit 0 and hnsw_ef 0 with 422 naming the field', async () => {
      const name = await twoPoints('zero_limit');
      for (const [path, body, field] of [
        ['query', { query: [1, 0, 0, 0], limit: 0 }, 'limit'],
        ['scroll', { limit: 0 }, 'limit'],
        ['search', { vector: [1, 0, 0, 0], limit: 0 }, 'limit'],
        ['query', { query: [1, 0, 0, 0], params: { hnsw_ef: 0 } }, 'params.hnsw_ef'],
      ] as const) {
        const a = await rest('POST', `/collections/${name}/points/${path}`, body);
        expect({ path, status: a.status, error: errorOf(a) }).toEqual({
          path,
          status: 422,
          error: expect.stringContaining(
            `Validation error in JSON body: [${field}: value 0 invalid, must be 1 or larger]`,
          ),
        });
      }
    });

    it('refuses a prefetch without a query and a score_threshold without a query or with order_by (400)', async () => {
      const name = await twoPoints('query_checks');
      await client().createPayloadIndex(name, { field_name: 'n', field_schema: 'integer', wait: true });
      const cases: Array<[unknown, string]> = [
        [
          { prefetch: { query: [1, 0, 0, 0] } },
          "Bad request: A query is needed to merge the prefetches. Can't have prefetches without defining a query.",
        ],
        [
          { score_threshold: 0.1 },
          "Bad request: A query is needed to use the score_threshold. Can't have score_threshold without defining a query.",
        ],
        [
          { query: { order_by: 'n' }, score_threshold: 0.1 },
          "Bad request: Can't use score_threshold with an order_by query.",
        ],
      ];
      for (const [body, error] of cases) {
        const a = await rest('POST', `/collections/${name}/points/query`, body);
        expect({ status: a.status, error: errorOf(a) }).toEqual({ status: 400, error });
      }
    });

    it('refuses an empty vector map on update and an unknown vector name on delete', async () => {
      const name = await ctx.collection('named_checks', {
        vectors: { image: { size: 4, distance: 'Dot' }, text: { size: 4, distance: 'Dot' } },
      });
      await client().upsert(name, {
        wait: true,
        points: [{ id: 1, vector: { image: [1, 0, 0, 0], text: [0, 1, 0, 0] } }],
      });
      await expectQdrantError(
        client().updateVectors(name, { points: [{ id: 1, vector: {} }] }),
        422,
        /Validation error in JSON body: \[points\[0\]\.vector: must specify vectors to update for point\]/,
      );
      await expectQdrantError(
        client().deleteVectors(name, { points: [1], vector: ['a'] }),
        400,
        /Wrong input: Not existing vector name error: a/,
      );
      const [point] = await client().retrieve(name, { ids: [1], with_vector: true });
      expect(Object.keys(point?.vector ?? {}).sort()).toEqual(['image', 'text']);
    });

    it('answers /livez as /healthz does, and the version banner at /', async () => {
      const livez = await rest('GET', '/livez');
      expect({ status: livez.status, text: livez.text }).toEqual({
        status: 200,
        text: 'healthz check passed',
      });
      const root = await rest('GET', '/');
      expect(root.json).toMatchObject({
        title: 'qdrant - vector search engine',
        version: expect.any(String),
      });
    });

    it('validates collection names (at most 255 characters) and ?timeout= as path and query parameters', async () => {
      const long = 'x'.repeat(256);
      const a = await rest('GET', `/collections/${long}`);
      expect({ status: a.status, error: errorOf(a) }).toEqual({
        status: 422,
        error: expect.stringMatching(/^Validation error in path parameters: \[name: /),
      });
      const name = uniqueName('timeout');
      const zero = await rest('PUT', `/collections/${name}?timeout=0`, {
        vectors: { size: 4, distance: 'Dot' },
      });
      expect({ status: zero.status, error: errorOf(zero) }).toEqual({
        status: 422,
        error: 'Validation error in query parameters: [timeout: value 0 invalid, must be 1 or larger]',
      });
      const negative = await rest('PUT', `/collections/${name}?timeout=-5`, {
        vectors: { size: 4, distance: 'Dot' },
      });
      expect(negative.status).toBe(400);
      expect(errorOf(negative)).toMatch(/^Deserialize error in query parameters/);
      expect(await client().collectionExists(name)).toEqual({ exists: false });
    });

    it('reports collections and responses on /telemetry and as Prometheus text on /metrics', async () => {
      const name = await twoPoints('telemetry');
      await client().query(name, { query: [1, 0, 0, 0] });
      await rest('POST', `/collections/${name}/points/query`, { query: [1, 0, 0, 0] });
      const telemetry = resultOf<{
        app: { name: string; version: string };
        collections: { number_of_collections: number; collections?: Array<{ id: string; points?: number }> };
      }>(await rest('GET', '/telemetry'));
      expect(telemetry.app.name).toBe('qdrant');
      expect(telemetry.collections.number_of_collections).toBeGreaterThanOrEqual(1);
      const metrics = await rest('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.contentType).toMatch(/^text\/plain/);
      expect(metrics.text).toMatch(/^# HELP app_info /m);
      expect(metrics.text).toMatch(/^collections_total \d+$/m);
      if (!ctx.target().local) return;
      expect(telemetry.collections.collections).toContainEqual(
        expect.objectContaining({ id: name, points: 2 }),
      );
      expect(metrics.text).toContain(`collection_points{collection="${name}"} 2`);
      expect(metrics.text).toContain(`collection_vectors{collection="${name}",vector=""} 2`);
      expect(metrics.text).toMatch(
        /^rest_responses_total\{method="POST",endpoint="\/collections\/\{name\}\/points\/query",status="200"\} [1-9]\d*$/m,
      );
    });

    it('answers a call it does not serve with a JSON 404 naming it (local mode only)', async () => {
      if (!ctx.target().local) return;
      const a = await rest('GET', '/cluster/telemetry-of-nothing');
      expect(a.status).toBe(404);
      expect(errorOf(a)).toMatch(/local Qdrant mode does not support GET \/cluster\/telemetry-of-nothing/);
    });
  });
}
