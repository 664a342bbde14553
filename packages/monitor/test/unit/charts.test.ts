import { describe, expect, it } from 'vitest';
import { latencyChart, ratioBars } from '../../src/render/charts.js';

const viewBoxWidth = (svg: string) => Number(/viewBox="0 0 (\d+(?:\.\d+)?) /.exec(svg)?.[1]);
const labelX = (svg: string) => Number(/<text x="(\d+(?:\.\d+)?)"[^>]*class="label"/.exec(svg)?.[1]);
const labels = (svg: string) => [...svg.matchAll(/class="label"[^>]*>([^<]*)</g)].map((m) => m[1]);

describe('report charts', () => {
  it('widens the label column for long latency labels instead of cutting them off on the left', () => {
    const short = latencyChart([{ label: 'redis GET', group: 'redis', p50: 0.2, p99: 1 }], {});
    const label = 'characterInteraction · record interaction (pg)'; // 46 characters
    const long = latencyChart([{ label, group: 'flows', p50: 2, p99: 9 }], {});
    expect(labels(long)).toEqual([label]);
    // Each of the 46 characters gets at least 7 px left of the right-aligned label's end.
    expect(labelX(long)).toBeGreaterThanOrEqual(label.length * 7);
    // The plot keeps its width: the view box grows by what the label column grew.
    expect(viewBoxWidth(long) - labelX(long)).toBe(viewBoxWidth(short) - labelX(short));
    expect(labelX(short)).toBe(250);
  });

  it('ends labels longer than 48 characters with an ellipsis, the full text kept in the title', () => {
    const label = `memoryRetrieve · ${'personalized pagerank '.repeat(3)}`;
    const svg = latencyChart([{ label, group: 'memory', p50: 2, p99: 9 }], {});
    expect(labels(svg)[0]).toHaveLength(48);
    expect(labels(svg)[0]?.endsWith('…')).toBe(true);
    expect(svg).toContain(`<title>${label}: p50`);
  });

  it('sizes the hit-rate bars the same way', () => {
    const label = 'memory_search_results (inline read tracking)';
    const svg = ratioBars([{ label, value: 0.9, note: '120 reads' }], 0.8, 'target 80 %');
    expect(labels(svg)).toEqual([label]);
    expect(labelX(svg)).toBeGreaterThanOrEqual(label.length * 7);
  });
});
