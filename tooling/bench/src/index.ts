// @monsteros/bench-kit: the benchmark harness of MonsterOS Data. Each package's bench measures our
// path and the raw baseline in the same run (`measure`, `interleaved`), then `report` prints one
// table (p50, p99, ops/s, ratio to the baseline) and writes the same rows as JSON to bench-results/.

/** The test kit's seeded generator, for benches (the same sequence in tests, benches and evals). */
export { seededRandom } from '@monsteros/schema/testing';
export {
  type Curve,
  type CurvePoint,
  type CurveSeries,
  relativeGrowth,
  reportCurve,
  runAtSizes,
  type SizedRun,
} from './curve.js';
export { interleaved, type MeasureOptions, measure, type Stats, summarize } from './measure.js';
export { type BenchRow, report, resultsDir } from './report.js';
export { runSmoke, smoke } from './smoke.js';
