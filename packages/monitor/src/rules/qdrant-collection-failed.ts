// A red collection (its optimizer failed): a state, always critical, with no threshold.
import type { MonitorSnapshot } from '../types.js';
import type { Finding } from './rule.js';

export function qdrantCollectionFailed({ qdrant: q }: MonitorSnapshot): Finding[] {
  if (q.status !== 'ok') return [];
  return q.collections
    .filter((c) => c.status === 'red')
    .map((c) => ({
      rule: 'qdrant.collectionFailed',
      store: 'qdrant',
      severity: 'critical',
      subject: c.name,
      issue: `collection ${c.name} is red (optimizer: ${c.optimizerStatus ?? 'unknown'})`,
      measured: c.points,
      threshold: null,
      thresholdName: null,
      unit: 'count',
      action:
        'read the optimizer error in the collection info; re-provision the collection from PostgreSQL (reconcile)',
    }));
}
