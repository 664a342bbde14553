// Filtered exact search the way MonsterOS runs it: one character's memories out of 12 characters
// (`must: character_name = X`, a keyword payload index on character_name), memories of all
// characters interleaved as they are written. "before" is the same engine and data without the
// payload index (every point scored, then filtered: what the local mode did before index
// narrowing); "after" has the index. Raw rows: the SIMD kernel over every row with a JS group
// check (the old ceiling), and three ways of scoring only the group's scattered rows (one kernel
// call per run of consecutive rows — what the engine does —, gathering the rows into one block
// first, the scalar JavaScript dot product per row), so the fastest strategy is visible.
import { type BenchRow, measure, type Stats } from '@monsteros/bench-kit';
import { createMemory, dotKernel } from '../src/engine/dot-kernel.js';
import { LocalQdrant } from '../src/index.js';

const GROUPS = 12;
const CHUNK = 4096;

interface Layout {
  dots: NonNullable<ReturnType<typeof dotKernel>>;
  memory: { buffer: ArrayBuffer };
  stride: number;
  rowsAt: number;
  scratchAt: number;
}

/** The engine's memory layout ([query][scores][rows]) plus a scratch block for gathered rows. */
function layout(data: Float32Array, count: number, dim: number, gatherRows: number): Layout {
  const stride = Math.ceil(dim / 8) * 8;
  const rowsAt = stride * 4 + CHUNK * 4;
  const scratchAt = rowsAt + count * stride * 4;
  const memory = createMemory(Math.ceil((scratchAt + gatherRows * stride * 4) / 65_536));
  const rows = new Float32Array(memory.buffer, rowsAt, count * stride);
  for (let i = 0; i < count; i++) rows.set(data.subarray(i * dim, (i + 1) * dim), i * stride);
  return { dots: dotKernel(memory)!, memory, stride, rowsAt, scratchAt };
}

/** A top-k kept in a small sorted array (k is 10 here). */
function keep(best: Array<[number, number]>, k: number, s: number, slot: number): void {
  if (best.length === k && s <= best[k - 1]![0]) return;
  best.push([s, slot]);
  best.sort((a, b) => b[0] - a[0]);
  if (best.length > k) best.pop();
}

/** Old ceiling: score every row with the kernel, keep only the group's. */
function rawScanThenFilter(l: Layout, count: number, group: Int32Array) {
  const q = new Float32Array(l.memory.buffer, 0, l.stride);
  const scores = new Float32Array(l.memory.buffer, l.stride * 4, CHUNK);
  return (query: Float32Array, g: number, k: number) => {
    q.set(query);
    const best: Array<[number, number]> = [];
    for (let start = 0; start < count; start += CHUNK) {
      const n = Math.min(CHUNK, count - start);
      l.dots(0, l.rowsAt + start * l.stride * 4, l.stride * 4, n, l.stride * 4);
      for (let j = 0; j < n; j++) if (group[start + j] === g) keep(best, k, scores[j]!, start + j);
    }
    return best;
  };
}

/** One kernel call per row of the group (no runs here: rows of a group are never adjacent). */
function rawKernelPerRow(l: Layout, slots: Int32Array[]) {
  const q = new Float32Array(l.memory.buffer, 0, l.stride);
  const scores = new Float32Array(l.memory.buffer, l.stride * 4, CHUNK);
  return (query: Float32Array, g: number, k: number) => {
    q.set(query);
    const best: Array<[number, number]> = [];
    const list = slots[g]!;
    for (let start = 0; start < list.length; start += CHUNK) {
      const n = Math.min(CHUNK, list.length - start);
      for (let j = 0; j < n; j++) {
        l.dots(0, l.rowsAt + list[start + j]! * l.stride * 4, l.stride * 4, 1, l.stride * 4 + j * 4);
      }
      for (let j = 0; j < n; j++) keep(best, k, scores[j]!, list[start + j]!);
    }
    return best;
  };
}

/** Copy the group's rows into one block, then one kernel call per block. */
function rawGatherThenKernel(l: Layout, slots: Int32Array[]) {
  const q = new Float32Array(l.memory.buffer, 0, l.stride);
  const scores = new Float32Array(l.memory.buffer, l.stride * 4, CHUNK);
  const all = new Float32Array(l.memory.buffer);
  const rowsF = l.rowsAt / 4;
  const scratchF = l.scratchAt / 4;
  return (query: Float32Array, g: number, k: number) => {
    q.set(query);
    const best: Array<[number, number]> = [];
    const list = slots[g]!;
    for (let start = 0; start < list.length; start += CHUNK) {
      const n = Math.min(CHUNK, list.length - start);
      for (let j = 0; j < n; j++) {
        const from = rowsF + list[start + j]! * l.stride;
        all.copyWithin(scratchF + j * l.stride, from, from + l.stride);
      }
      l.dots(0, l.scratchAt, l.stride * 4, n, l.stride * 4);
      for (let j = 0; j < n; j++) keep(best, k, scores[j]!, list[start + j]!);
    }
    return best;
  };
}

/** The scalar JavaScript dot product per row of the group (4 accumulators, as the engine's fallback). */
function rawJsPerRow(data: Float32Array, dim: number, slots: Int32Array[]) {
  return (query: Float32Array, g: number, k: number) => {
    const best: Array<[number, number]> = [];
    for (const slot of slots[g]!) {
      const off = slot * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = 0; d < dim; d += 4) {
        s0 += data[off + d]! * query[d]!;
        s1 += data[off + d + 1]! * query[d + 1]!;
        s2 += data[off + d + 2]! * query[d + 2]!;
        s3 += data[off + d + 3]! * query[d + 3]!;
      }
      keep(best, k, s0 + s1 + s2 + s3, slot);
    }
    return best;
  };
}

/**
 * Rows for filtered top-k search over `GROUPS` characters × `perGroup` memories × `dim`:
 * raw strategies, the engine before (no payload index) and after (keyword index), plain query
 * and the prefetch + decay formula that characterContextSearch sends.
 */
export async function filteredSearchRows(args: {
  perGroup: number;
  dim: number;
  searches: number;
  k: number;
  unitVectors: (count: number, dim: number, seed: number) => Float32Array;
}): Promise<BenchRow[]> {
  const { perGroup, dim, searches, k } = args;
  const count = GROUPS * perGroup;
  const label = `${GROUPS} x ${perGroup / 1000}k x ${dim}`;
  const data = args.unitVectors(count, dim, 4242 + count + dim);
  const queries = args.unitVectors(64, dim, 77);
  const query = (i: number) => queries.subarray((i % 64) * dim, ((i % 64) + 1) * dim);
  const groupOf = (i: number) => i % GROUPS;
  const group = Int32Array.from({ length: count }, (_, i) => groupOf(i));
  const slots = Array.from({ length: GROUPS }, (_, g) =>
    Int32Array.from({ length: perGroup }, (_, j) => j * GROUPS + g),
  );
  const rows: BenchRow[] = [];
  const kase = `filtered top-${k} ${label}`;

  const l = layout(data, count, dim, Math.min(perGroup, CHUNK));
  const scan = rawScanThenFilter(l, count, group);
  const rawScan = await measure((i) => scan(query(i), i % GROUPS, k), { iterations: searches });
  rows.push({ case: kase, path: 'raw SIMD scan all, then filter', stats: rawScan });
  const perRow = rawKernelPerRow(l, slots);
  const rawPerRow = await measure((i) => perRow(query(i), i % GROUPS, k), { iterations: searches });
  rows.push({ case: kase, path: 'raw SIMD per group row', stats: rawPerRow, baseline: rawScan });
  const gather = rawGatherThenKernel(l, slots);
  const rawGather = await measure((i) => gather(query(i), i % GROUPS, k), { iterations: searches });
  rows.push({ case: kase, path: 'raw gather rows, then SIMD', stats: rawGather, baseline: rawScan });
  const js = rawJsPerRow(data, dim, slots);
  const rawJs = await measure((i) => js(query(i), i % GROUPS, k), { iterations: searches });
  rows.push({ case: kase, path: 'raw JS dot per group row', stats: rawJs, baseline: rawScan });

  const engine = await LocalQdrant.open(':memory:');
  for (const name of ['before', 'after']) {
    await engine.createCollection(name, { vectors: { size: dim, distance: 'Cosine' } });
    if (name === 'after') {
      await engine.createPayloadIndex(name, { field_name: 'character_name', field_schema: 'keyword' });
    }
    for (let from = 0; from < count; from += 1000) {
      const points = Array.from({ length: Math.min(1000, count - from) }, (_, j) => ({
        id: from + j,
        vector: Array.from(data.subarray((from + j) * dim, (from + j + 1) * dim)),
        payload: {
          character_name: `character_${groupOf(from + j)}`,
          timestamp: new Date(Date.UTC(2025, 0, 1) + (from + j) * 60_000).toISOString(),
        },
      }));
      await engine.upsertPoints(name, { points });
    }
  }
  const filter = (i: number) => ({
    must: [{ key: 'character_name', match: { value: `character_${i % GROUPS}` } }],
  });
  const plain = (name: string) => (i: number) =>
    engine.queryPoints(name, { query: Array.from(query(i)), filter: filter(i), limit: k });
  const stats: Record<string, Stats> = {};
  for (const name of ['before', 'after']) {
    stats[name] = await measure(plain(name), { iterations: searches });
    rows.push({
      case: kase,
      path: `in-process ${name === 'before' ? 'before (no payload index: scan + filter)' : 'after (keyword index)'}`,
      stats: stats[name]!,
      baseline: rawScan,
      note:
        name === 'after'
          ? `${(stats.before!.p50 / stats.after!.p50).toFixed(1)}x faster than before; ${(stats.after!.p50 / rawPerRow.p50).toFixed(2)}x raw SIMD per group row`
          : undefined,
    });
  }
  const decay = (name: string) => (i: number) =>
    engine.queryPoints(name, {
      prefetch: { query: Array.from(query(i)), filter: filter(i), limit: 50 },
      query: {
        formula: {
          mult: [
            '$score',
            {
              exp_decay: {
                x: { datetime_key: 'timestamp' },
                target: { datetime: '2025-06-01T00:00:00Z' },
                scale: 86_400,
                midpoint: Math.exp(-0.1),
              },
            },
          ],
        },
      },
      limit: k,
      with_payload: true,
    });
  const decayBefore = await measure(decay('before'), { iterations: searches });
  rows.push({
    case: `characterContextSearch shape ${label}`,
    path: 'in-process before (no payload index)',
    stats: decayBefore,
  });
  const decayAfter = await measure(decay('after'), { iterations: searches });
  rows.push({
    case: `characterContextSearch shape ${label}`,
    path: 'in-process after (keyword index)',
    stats: decayAfter,
    baseline: decayBefore,
    note: `${(decayBefore.p50 / decayAfter.p50).toFixed(1)}x faster`,
  });
  const count1 = (name: string) => (i: number) => engine.countPoints(name, { filter: filter(i) });
  const countBefore = await measure(count1('before'), { iterations: searches });
  rows.push({ case: `filtered count ${label}`, path: 'in-process before', stats: countBefore });
  const countAfter = await measure(count1('after'), { iterations: searches });
  rows.push({
    case: `filtered count ${label}`,
    path: 'in-process after',
    stats: countAfter,
    baseline: countBefore,
  });
  await engine.close();
  return rows;
}
