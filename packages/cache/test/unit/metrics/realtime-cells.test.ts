import { describe, expect, it } from 'vitest';
import { LocalTotals, PendingCells, tally } from '../../../src/metrics/realtime-cells.js';
import { BUCKET_FIELDS, flushArgs, parseSeries } from '../../../src/metrics/realtime-hash.js';

const MINUTE = 1_765_065_600_000;

describe('real-time cells (no Redis)', () => {
  it('tallies count, sum, max and the histogram bucket of each value, the totals without max', () => {
    const pending = new PendingCells(10);
    const totals = new LocalTotals(10);
    const cell = pending.cellFor(MINUTE, 'flow_step', ['a', 'ok'])!;
    const own = totals.cellFor('flow_step', 'a\u001fok', cell.labels);
    for (const v of [0.4, 3, 3, 20_000]) tally(cell, own, v);
    expect(cell.count).toBe(4);
    expect(cell.sum).toBeCloseTo(20_006.4);
    expect(cell.max).toBe(20_000);
    // 0.4 ≤ 0.5 (first bucket), 3 ≤ 5 (fourth), 20 000 above every bound (last).
    expect([...cell.buckets].map((n, i) => (n ? `${BUCKET_FIELDS[i]}=${n}` : '')).filter(Boolean)).toEqual([
      'le:0.5=1',
      'le:5=2',
      'le:+Inf=1',
    ]);
    expect(totals.list('flow_step')).toEqual([
      {
        labels: ['a', 'ok'],
        count: 4,
        sum: cell.sum,
        max: null,
        buckets: [
          { le: 0.5, count: 1 },
          { le: 5, count: 2 },
          { le: Number.POSITIVE_INFINITY, count: 1 },
        ],
      },
    ]);
  });

  it('holds at most maxSeries label sets per metric and minute, and counts what it gives back', () => {
    const pending = new PendingCells(2);
    expect(pending.cellFor(MINUTE, 'm', ['x'])).toBeDefined();
    expect(pending.cellFor(MINUTE, 'm', ['y'])).toBeDefined();
    expect(pending.cellFor(MINUTE, 'm', ['z'])).toBeUndefined();
    expect(pending.cellFor(MINUTE + 60_000, 'm', ['z'])).toBeDefined();
    expect(pending.count).toBe(3);
    const batch = pending.take();
    expect(pending.count).toBe(0);
    expect(pending.generation).toBe(1);
    expect(batch.get(MINUTE)?.get('m')?.size).toBe(2);
  });

  it('merges a cell a failed flush gave back into the pending one', () => {
    const pending = new PendingCells(10);
    const first = pending.cellFor(MINUTE, 'm', ['x'])!;
    tally(first, undefined, 2);
    const batch = pending.take();
    const again = pending.cellFor(MINUTE, 'm', ['x'])!;
    tally(again, undefined, 7);
    pending.merge(MINUTE, 'm', batch.get(MINUTE)!.get('m')!.get('x')!);
    expect({ count: again.count, sum: again.sum, max: again.max }).toEqual({ count: 2, sum: 9, max: 7 });
  });

  it('writes the flush arguments the hash parser reads back (empty buckets left out)', () => {
    const pending = new PendingCells(10);
    const cell = pending.cellFor(MINUTE, 'm', ['b', '2'])!;
    tally(cell, undefined, 1);
    tally(cell, undefined, 30);
    const args = flushArgs(pending.take().get(MINUTE)!.get('m')!);
    expect(args).toEqual([
      'i',
      'b\u001f2\u001ecount',
      '2',
      'f',
      'b\u001f2\u001esum',
      '31',
      'm',
      'b\u001f2\u001emax',
      '30',
      'i',
      'b\u001f2\u001ele:1',
      '1',
      'i',
      'b\u001f2\u001ele:50',
      '1',
    ]);
    // What realtime_flush leaves in a fresh hash: each field set to its value.
    const hash: Record<string, string> = {};
    for (let i = 0; i < args.length; i += 3) hash[args[i + 1]!] = args[i + 2]!;
    expect(parseSeries(hash, true)).toEqual([
      {
        labels: ['b', '2'],
        count: 2,
        sum: 31,
        max: 30,
        buckets: [
          { le: 1, count: 1 },
          { le: 50, count: 1 },
        ],
      },
    ]);
  });
});
