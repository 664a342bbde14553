// @monsteros/flows/metrics: what the data layer records (names, the recorder, the pool
// instrumentation) and publishes, for readers such as @monsteros/monitor.
export { instrumentPostgresPool } from './instrument-postgres.js';
export type { RealtimeMetricName } from './names.js';
export {
  LOCAL_VECTORS_DOC,
  type PublishedVectorsStats,
  type VectorCollectionFigures,
} from './published-vectors.js';
export { createMetricsRecorder } from './recorder.js';
