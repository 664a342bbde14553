// The real-time aggregates held in this process's memory: a cell (count, sum, max, histogram)
// per minute, metric and label set until the next flush takes it (PendingCells), and this
// process's running totals per metric and label set, never sent (LocalTotals). Both cap the
// label sets per metric (and minute) at `maxSeries`: past it, values are dropped, not held.
import { check } from '../validation.js';
import { Labels } from './inputs.js';
import {
  BUCKET_FIELDS,
  bucketIndex,
  labelSetKey,
  REALTIME_BUCKETS_MS,
  sortByLabels,
} from './realtime-hash.js';
import type { RealtimeBucket, RealtimeSeries } from './realtime-types.js';

/** One label set's aggregate over a minute, or over the process's life (local totals). */
export interface Cell {
  labels: readonly string[];
  count: number;
  sum: number;
  max: number;
  buckets: Uint32Array;
}

/** minute → metric → label set → cell. */
export type CellBatch = Map<number, Map<string, Map<string, Cell>>>;

const newCell = (labels: readonly string[]): Cell => ({
  labels,
  count: 0,
  sum: 0,
  max: 0,
  buckets: new Uint32Array(BUCKET_FIELDS.length),
});

/** Adds one value to a minute's cell and to the process's totals (max is kept per minute only). */
export function tally(cell: Cell, own: Cell | undefined, value: number): void {
  const bucket = bucketIndex(value);
  cell.count++;
  cell.sum += value;
  if (value > cell.max) cell.max = value;
  cell.buckets[bucket]!++;
  if (own) {
    own.count++;
    own.sum += value;
    own.buckets[bucket]!++;
  }
}

/** The cells waiting for the next flush. */
export class PendingCells {
  private cells: CellBatch = new Map();
  /** Bumped each time a flush takes the cells: a series' cached cell is then stale. */
  generation = 0;
  /** Label sets × minutes held. */
  count = 0;
  /** Values dropped (series limit, or minutes past the retention while Redis was down). */
  dropped = 0;

  constructor(private readonly maxSeries: number) {}

  /** The cell of a label set in a minute, created (labels checked) on first use; undefined past the limit. */
  cellFor(
    minute: number,
    metric: string,
    labels: readonly string[],
    set: string = labelSetKey(labels),
  ): Cell | undefined {
    let byMetric = this.cells.get(minute);
    if (!byMetric) {
      byMetric = new Map();
      this.cells.set(minute, byMetric);
    }
    let bySet = byMetric.get(metric);
    if (!bySet) {
      bySet = new Map();
      byMetric.set(metric, bySet);
    }
    let cell = bySet.get(set);
    if (!cell) {
      if (bySet.size >= this.maxSeries) return undefined;
      check(Labels, labels, 'labels');
      cell = newCell([...labels]);
      bySet.set(set, cell);
      this.count++;
    }
    return cell;
  }

  /** Adds a cell a failed flush gave back (its values are dropped past the limit). */
  merge(minute: number, metric: string, from: Cell): void {
    const cell = this.cellFor(minute, metric, from.labels);
    if (!cell) {
      this.dropped += from.count;
      return;
    }
    cell.count += from.count;
    cell.sum += from.sum;
    if (from.max > cell.max) cell.max = from.max;
    for (let i = 0; i < from.buckets.length; i++) cell.buckets[i]! += from.buckets[i]!;
  }

  /** Hands every cell to a flush and starts afresh. */
  take(): CellBatch {
    const batch = this.cells;
    this.cells = new Map();
    this.generation++;
    this.count = 0;
    return batch;
  }
}

/** This process's running totals since it started (what a per-process Prometheus endpoint shows). */
export class LocalTotals {
  /** metric → label set → totals. */
  private readonly cells = new Map<string, Map<string, Cell>>();

  constructor(private readonly maxSeries: number) {}

  /** The totals of a label set, created on first use (undefined past the series limit). */
  cellFor(metric: string, set: string, labels: readonly string[]): Cell | undefined {
    let localSets = this.cells.get(metric);
    if (!localSets) {
      localSets = new Map();
      this.cells.set(metric, localSets);
    }
    let own = localSets.get(set);
    if (!own) {
      if (localSets.size >= this.maxSeries) return undefined;
      own = newCell(labels);
      localSets.set(set, own);
    }
    return own;
  }

  /** The totals of a metric per label set, sorted by labels (no max). */
  list(metric: string): RealtimeSeries[] {
    const out: RealtimeSeries[] = [];
    for (const cell of this.cells.get(metric)?.values() ?? []) {
      const buckets: RealtimeBucket[] = [];
      cell.buckets.forEach((count, i) => {
        if (count > 0) buckets.push({ le: REALTIME_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY, count });
      });
      out.push({ labels: [...cell.labels], count: cell.count, sum: cell.sum, max: null, buckets });
    }
    return sortByLabels(out);
  }
}
