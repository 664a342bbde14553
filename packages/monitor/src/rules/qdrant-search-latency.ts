// Vector searches slow on average.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding, ms } from './rule.js';

export function qdrantSearchLatency({ qdrant: q }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (q.status !== 'ok' || q.avgSearchMs === null) return [];
  const finding = check(t, {
    rule: 'qdrant.searchLatency',
    store: 'qdrant',
    limit: 'max',
    thresholdName: 'qdrantSearchMeanMs',
    measured: q.avgSearchMs,
    issue: `vector searches average ${ms(q.avgSearchMs)}`,
    action:
      'tune HNSW: lower hnsw_ef at search (or m / ef_construct at build), enable scalar quantization, add payload indexes for the filters',
  });
  return finding ? [finding] : [];
}
