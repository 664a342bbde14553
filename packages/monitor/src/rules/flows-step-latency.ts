// Flow steps slow at p95, once they have run often enough to tell; the action depends on the store.
import type { StepStore } from '@monsteros/flows';
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding, ms } from './rule.js';

const STEP_ACTIONS: Record<StepStore, string> = {
  postgres:
    'EXPLAIN ANALYZE its statement; use the prepared hot statements or a covering index, and route lag-tolerant reads to a replica',
  redis:
    'check for large values or multi-key scripts on the hot path; pipeline its commands and keep values compressed',
  qdrant: 'lower the search limit, add a payload index for its filter, or tune the HNSW ef for that profile',
  duckdb: 'move it off the request path (precompute in the analytics ingestion) or narrow its time window',
  responder: 'the responder dominates: cache responses by request hash (character_responses) and stream them',
  compute: 'profile the step; cache its result or move it off the request path',
};

export function flowsStepLatency({ flows: f }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (f.status !== 'ok') return [];
  return checkEach(
    t,
    f.steps
      .filter((s) => s.count >= t.flowMinRuns)
      .map((s) => ({
        rule: 'flows.stepLatency',
        store: 'flows',
        limit: 'max',
        thresholdName: 'flowStepP95Ms',
        measured: s.p95Ms,
        subject: `${s.flow} › ${s.step} (${s.store})`,
        issue: `step "${s.step}" of ${s.flow} has p95 ${ms(s.p95Ms)} over ${s.count} runs`,
        action: STEP_ACTIONS[s.store],
      })),
  );
}
