// relational.health(): whether the primary answers `select 1` within a time limit; never throws
// for an outage.
import type pg from 'pg';
import { z } from 'zod';
import { mapDatabaseError } from '../errors.js';
import { check } from '../validation.js';

const HealthTimeout = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1 ms')
  .max(600_000, 'must be at most 600000 ms');

/** One `select 1` on `pool`, given up after `timeoutMs` (checked: 1 to 600,000). */
export async function primaryHealth(
  pool: pg.Pool,
  timeoutMs: number,
): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const limit = check(HealthTimeout, timeoutMs, 'timeoutMs');
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit);
      }),
    ]);
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return {
      ok: false,
      latencyMs: performance.now() - started,
      error: mapDatabaseError(error, 'health check').message,
    };
  } finally {
    clearTimeout(timer);
  }
}
