// Reads of the real-time aggregates every process sent to Redis: a metric's minutes in a range
// (one pipeline of HGETALL, concurrent reads on a Cluster) and its running totals.
import { Cluster } from 'ioredis';
import type { Availability, ScriptedClient } from '../connection.js';
import { CacheValidationError, mapRedisError } from '../errors.js';
import type { KeyBuilders } from '../keys.js';
import { MINUTE_MS, minuteOf, parseSeries } from './realtime-hash.js';
import type { RealtimeMinute, RealtimeSeries } from './realtime-types.js';

/** At most a day of minutes per read. */
const MAX_MINUTES = 1_440;

interface ReadDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
}

/** The minutes of `metric` in [from, to] that hold anything, oldest first (inputs already checked). */
export async function readMinutes(
  { client, availability, keys }: ReadDeps,
  metric: string,
  from: number,
  to: number,
): Promise<RealtimeMinute[]> {
  if (from > to) throw new CacheValidationError('range.from', 'must not be after range.to');
  const first = minuteOf(from);
  const last = minuteOf(to);
  if ((last - first) / MINUTE_MS + 1 > MAX_MINUTES)
    throw new CacheValidationError('range', `must span at most ${MAX_MINUTES} minutes`);
  const minuteStarts: number[] = [];
  for (let m = first; m <= last; m += MINUTE_MS) minuteStarts.push(m);
  const hashes = await availability.run('read real-time metrics', async () => {
    if (client instanceof Cluster)
      return Promise.all(minuteStarts.map((m) => client.hgetall(keys.realtimeMinute(metric, m))));
    const pipeline = client.pipeline();
    for (const m of minuteStarts) pipeline.hgetall(keys.realtimeMinute(metric, m));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw mapRedisError(error, 'read real-time metrics');
      return value as Record<string, string>;
    });
  });
  const out: RealtimeMinute[] = [];
  hashes.forEach((flat, i) => {
    const series = parseSeries(flat, true);
    if (series.length) out.push({ minute: minuteStarts[i]!, series });
  });
  return out;
}

/** The running totals of `metric` per label set (no max). */
export async function readTotals(
  { client, availability, keys }: ReadDeps,
  metric: string,
): Promise<RealtimeSeries[]> {
  const flat = (await availability.run('read real-time metrics', () =>
    client.hgetall(keys.realtimeTotals(metric)),
  )) as Record<string, string>;
  return parseSeries(flat, false);
}
