import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/engine/render.js';

/** The definition: the fewest significant digits whose decimal reads back as the same float32. */
function shortestByScan(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  for (let p = 1; p <= 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  throw new Error('unreachable: 9 digits always round-trip a float32');
}

describe('local mode float32 printing', () => {
  it('prints the shortest decimal that reads back as the same float32, for any float32', () => {
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    let seed = 12345;
    for (let i = 0; i < 200_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits[0] = seed;
      const x = asFloat[0]!;
      if (!Number.isFinite(x)) continue;
      expect(f32(x)).toBe(shortestByScan(x));
    }
    for (const x of [0.8, 0.1, 1, -2.5, 1e-45, 3.4028234663852886e38, Math.SQRT1_2, 1 / 3])
      expect(f32(x)).toBe(shortestByScan(x));
    expect(f32(0.800000011920929)).toBe(0.8);
  });
});
