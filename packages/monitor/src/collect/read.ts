// What every collector shares: a limit on each reading, a reading that never throws, timed
// round trips, and error messages without connection strings.
import type { Reading } from '../types.js';

export interface CollectSettings {
  /** Round trips timed per store for the latency distributions. */
  latencySamples: number;
  /** Limit of each store's reading. */
  timeoutMs: number;
  /** Minutes of real-time metrics read from Redis. */
  windowMinutes: number;
}

/** Never a connection string in a report: URLs in error messages are cut to their scheme. */
export function redact(message: string): string {
  return message.replace(/\b([a-z][a-z0-9+.-]*):\/\/[^\s'"]+/gi, '$1://…');
}

export async function withTimeout<T>(what: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function reading<T>(
  what: string,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<Reading<T>> {
  try {
    return { status: 'ok', ...(await withTimeout(what, timeoutMs, work)) };
  } catch (error) {
    return { status: 'unavailable', error: redact(error instanceof Error ? error.message : String(error)) };
  }
}

/**
 * Times `samples` round trips one after another, after one untimed call (which may open a
 * connection). Run before the other readings, so their work does not delay these.
 */
export async function sampleRoundTrips(samples: number, roundTrip: () => Promise<number>): Promise<number[]> {
  await roundTrip();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) out.push(await roundTrip());
  return out;
}
