// Why a source is absent from a snapshot: the caller's words (`notConfigured`), else the generic reason.
import type { MonitorStores, Reading } from '../types.js';

const ABSENT = {
  analytics: 'no analytics store was handed to the monitor',
  vectors: 'no vector store was handed to the monitor',
  relay: 'no relay in this process',
  timings:
    'no flow timings provider was handed to the monitor: record runs with createTimingBuffer().record and pass timings: buffer.recent',
  realtime: 'no real-time metrics source was handed to the monitor (realtime: cache.realtime)',
} as const;

/** Why a source is absent: the caller's words, else the generic reason. */
export function absentReason(stores: MonitorStores, source: keyof typeof ABSENT): string {
  return stores.notConfigured?.[source] ?? ABSENT[source];
}

export function notConfigured<T>(stores: MonitorStores, source: keyof typeof ABSENT): Promise<Reading<T>> {
  return Promise.resolve({ status: 'not-configured', reason: absentReason(stores, source) });
}
