// How the real-time aggregates are laid out in Redis: one hash per metric and minute (and one of
// running totals per metric) whose fields are `<labels joined by \u001f>\u001e<statistic>`, the
// statistics being count, sum, max and one `le:<bound>` per histogram bucket. Written as the
// arguments of the `realtime_flush` script, read back as RealtimeSeries.
import type { RealtimeSeries } from './realtime-types.js';

/** Upper bounds (ms) of the latency histogram buckets; a last bucket holds what is above them. */
export const REALTIME_BUCKETS_MS: readonly number[] = [
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
];

/** The hashes' time granularity. */
export const MINUTE_MS = 60_000;
/** The start (epoch ms) of the minute holding `t`. */
export const minuteOf = (t: number): number => Math.floor(t / MINUTE_MS) * MINUTE_MS;

/** Between label values, and between the label set and the statistic, in a hash field. */
export const LABEL_SEP = '\u001f';
export const STAT_SEP = '\u001e';

/** The bucket statistics' names, the last one for values above every bound. */
export const BUCKET_FIELDS = [...REALTIME_BUCKETS_MS.map((b) => `le:${b}`), 'le:+Inf'];

/** The index in BUCKET_FIELDS of the bucket a value falls into. */
export const bucketIndex = (value: number): number => {
  let i = 0;
  while (i < REALTIME_BUCKETS_MS.length && value > REALTIME_BUCKETS_MS[i]!) i++;
  return i;
};

/** A label set's part of its field names (also its key in memory). */
export const labelSetKey = (labels: readonly string[]): string =>
  labels.length === 1 ? labels[0]! : labels.join(LABEL_SEP);

/** Sorts series by their labels (the order every read returns). */
export const sortByLabels = (series: RealtimeSeries[]): RealtimeSeries[] =>
  series.sort((a, b) => a.labels.join(LABEL_SEP).localeCompare(b.labels.join(LABEL_SEP)));

/** The aggregates of one label set, as flushArgs reads them. */
interface FlushedCell {
  count: number;
  sum: number;
  max: number;
  buckets: Uint32Array;
}

/**
 * The `realtime_flush` script's arguments for one metric and minute: per label set, an op
 * (`i` add an integer, `f` add a float, `m` keep the max), the field and the value; empty
 * histogram buckets are left out.
 */
export function flushArgs(bySet: Map<string, FlushedCell>): string[] {
  const args: string[] = [];
  for (const [set, cell] of bySet) {
    const f = set + STAT_SEP;
    args.push(
      'i',
      `${f}count`,
      String(cell.count),
      'f',
      `${f}sum`,
      String(cell.sum),
      'm',
      `${f}max`,
      String(cell.max),
    );
    for (let i = 0; i < cell.buckets.length; i++) {
      if (cell.buckets[i]! > 0) args.push('i', f + BUCKET_FIELDS[i]!, String(cell.buckets[i]!));
    }
  }
  return args;
}

/** Parses one hash (field → value) into label sets. */
export function parseSeries(flat: Record<string, string>, withMax: boolean): RealtimeSeries[] {
  const bySet = new Map<string, RealtimeSeries>();
  for (const [field, raw] of Object.entries(flat)) {
    const cut = field.lastIndexOf(STAT_SEP);
    if (cut < 0) continue;
    const set = field.slice(0, cut);
    const stat = field.slice(cut + 1);
    let s = bySet.get(set);
    if (!s) {
      s = {
        labels: set === '' ? [] : set.split(LABEL_SEP),
        count: 0,
        sum: 0,
        max: withMax ? 0 : null,
        buckets: [],
      };
      bySet.set(set, s);
    }
    const value = Number(raw);
    if (stat === 'count') s.count = value;
    else if (stat === 'sum') s.sum = value;
    else if (stat === 'max') s.max = withMax ? value : null;
    else if (stat.startsWith('le:')) {
      const le = stat === 'le:+Inf' ? Number.POSITIVE_INFINITY : Number(stat.slice(3));
      if (value > 0) s.buckets.push({ le, count: value });
    }
  }
  const out = [...bySet.values()];
  for (const s of out) s.buckets.sort((a, b) => a.le - b.le);
  return sortByLabels(out);
}
