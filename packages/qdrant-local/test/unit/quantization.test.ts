// int8 scalar quantization in the local mode (`quantization_config: { scalar: { type: 'int8' } }`,
// `params.quantization`): searches scan the codes, rescore the oversampled candidates with the
// originals, and must agree with an exact float32 search computed here independently.
import { seededRandom } from '@monsteros/bench-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Int8Codes } from '../../src/engine/int8-codes.js';
import { LocalQdrant } from '../../src/index.js';

const DIM = 48;
const N = 3_000;

const next = seededRandom(21);
const gaussian = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
const vectors = Array.from({ length: N }, () => Array.from({ length: DIM }, gaussian));
const queries = Array.from({ length: 25 }, () => Array.from({ length: DIM }, gaussian));

const normalized = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
/** Exact top-k by cosine (or negative squared distance), computed here in float64. */
function exactTop(query: number[], k: number, distance: 'Cosine' | 'Euclid'): number[] {
  const q = distance === 'Cosine' ? normalized(query) : query;
  const scored = vectors.map((v, id) => {
    if (distance === 'Cosine') {
      const x = normalized(v);
      return { id, s: x.reduce((sum, xi, i) => sum + xi * q[i]!, 0) };
    }
    return { id, s: -v.reduce((sum, vi, i) => sum + (vi - q[i]!) ** 2, 0) };
  });
  return scored
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

let engine: LocalQdrant;
beforeAll(async () => {
  engine = await LocalQdrant.open(':memory:');
  for (const [name, distance, onDisk] of [
    ['cos_int8', 'Cosine', true],
    ['euclid_int8', 'Euclid', false],
    ['cos_plain', 'Cosine', false],
  ] as const) {
    await engine.createCollection(name, {
      vectors: { size: DIM, distance, on_disk: onDisk },
      ...(name.endsWith('int8') ? { quantization_config: { scalar: { type: 'int8', quantile: 0.99 } } } : {}),
    });
    for (let i = 0; i < N; i += 500) {
      await engine.upsertPoints(name, {
        points: vectors.slice(i, i + 500).map((vector, j) => ({ id: i + j, vector })),
      });
    }
  }
});
afterAll(async () => {
  await engine.close();
});

const ids = (points: Array<{ id: unknown }>) => points.map((p) => Number(p.id));

describe('int8 scalar quantization', () => {
  it('reports the quantization config as given', async () => {
    const info = await engine.getCollection('cos_int8');
    expect(info.config.quantization_config).toEqual({ scalar: { type: 'int8', quantile: 0.99 } });
  });

  it('finds the exact top 10 with rescoring of 3x oversampled candidates (Cosine on disk, Euclid in memory)', async () => {
    for (const [name, distance] of [
      ['cos_int8', 'Cosine'],
      ['euclid_int8', 'Euclid'],
    ] as const) {
      let found = 0;
      for (const query of queries) {
        const res = await engine.queryPoints(name, {
          query,
          limit: 10,
          params: { quantization: { rescore: true, oversampling: 3 } },
        });
        const expected = new Set(exactTop(query, 10, distance));
        found += ids(res.points).filter((id) => expected.has(id)).length;
      }
      expect(found / (queries.length * 10), name).toBeGreaterThanOrEqual(0.99);
    }
  });

  it('returns the float32 scores of an exact search when rescoring, and estimates without it', async () => {
    const query = queries[0]!;
    const exact = await engine.queryPoints('cos_plain', { query, limit: 5 });
    const rescored = await engine.queryPoints('cos_int8', {
      query,
      limit: 5,
      params: { quantization: { oversampling: 4 } },
    });
    expect(rescored.points.map((p) => [p.id, p.score])).toEqual(exact.points.map((p) => [p.id, p.score]));
    const estimated = await engine.queryPoints('cos_int8', {
      query,
      limit: 5,
      params: { quantization: { rescore: false, oversampling: 4 } },
    });
    for (const p of estimated.points) {
      const truth = exact.points.find((e) => e.id === p.id);
      if (truth) expect(Math.abs(p.score - truth.score)).toBeLessThan(0.02);
    }
    // ignore: the plain float32 scan, the same answer as the unquantized collection.
    const ignored = await engine.queryPoints('cos_int8', {
      query,
      limit: 5,
      params: { quantization: { ignore: true } },
    });
    expect(ignored.points.map((p) => [p.id, p.score])).toEqual(exact.points.map((p) => [p.id, p.score]));
  });

  it('applies filters and score thresholds to the quantized search', async () => {
    const query = queries[1]!;
    const filter = { must: [{ has_id: Array.from({ length: 400 }, (_, i) => i * 3) }] };
    const res = await engine.queryPoints('cos_int8', {
      query,
      filter,
      limit: 10,
      score_threshold: 0.1,
      params: { quantization: { oversampling: 3 } },
    });
    const exact = await engine.queryPoints('cos_plain', { query, filter, limit: 10, score_threshold: 0.1 });
    expect(ids(res.points)).toEqual(ids(exact.points));
    for (const p of res.points) expect(p.score).toBeGreaterThanOrEqual(0.1);
  });

  it('keeps answering exactly after deletes and upserts past the calibration', async () => {
    await engine.deletePoints('cos_int8', { points: [0, 1, 2] });
    const extra = Array.from({ length: 4_000 }, () => Array.from({ length: DIM }, gaussian));
    await engine.upsertPoints('cos_int8', {
      points: extra.map((vector, i) => ({ id: 10_000 + i, vector })),
    });
    await engine.upsertPoints('cos_plain', {
      points: extra.map((vector, i) => ({ id: 10_000 + i, vector })),
    });
    await engine.deletePoints('cos_plain', { points: [0, 1, 2] });
    for (const query of queries.slice(0, 5)) {
      const q = await engine.queryPoints('cos_int8', {
        query,
        limit: 10,
        params: { quantization: { oversampling: 4 } },
      });
      const e = await engine.queryPoints('cos_plain', { query, limit: 10 });
      expect(ids(q.points)).toEqual(ids(e.points));
    }
  });

  it('refuses bad quantization search params with Qdrant-style errors naming the field', async () => {
    const bad = async (quantization: unknown) =>
      engine
        .queryPoints('cos_int8', { query: queries[0]!, params: { quantization } as never })
        .catch((e: Error) => e);
    const low = await bad({ oversampling: 0.5 });
    expect(String(low)).toMatch(
      /params\.quantization\.oversampling: value 0\.5 invalid, must be 1\.0 or larger/,
    );
    expect(String(await bad({ rescore: 'yes' }))).toMatch(/params\.quantization\.rescore/);
    expect(String(await bad(3))).toMatch(/params\.quantization/);
  });
});

describe('int8 codes', () => {
  it('hold a quarter of the float32 bytes and code dot products track float ones', () => {
    const codes = new Int8Codes(384, 1, 1_024);
    const rows = Array.from({ length: 64 }, () => Float32Array.from({ length: 384 }, gaussian));
    codes.calibrate(
      rows.length,
      (visit) => {
        for (const r of rows) visit(r);
      },
      (visit) => {
        for (const [i, r] of rows.entries()) visit(i, r);
      },
    );
    expect(codes.stride).toBe(384);
    const q = rows[5]!;
    const step = codes.step * codes.setQuery(q);
    const scores = codes.score(0, rows.length);
    for (const [i, r] of rows.entries()) {
      const exact = r.reduce((s, x, j) => s + x * q[j]!, 0);
      expect(Math.abs(scores[i]! * step - exact)).toBeLessThan(0.01 * 384);
    }
  });
});
