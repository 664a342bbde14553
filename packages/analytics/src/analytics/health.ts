// analytics.health(): whether DuckDB answers `select 1`; never throws.
import type { Db } from '../db.js';

/** One `select 1` on a reader connection, timed. */
export async function duckdbHealth(db: Db): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await db.read('health', 'select 1 as ok');
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return {
      ok: false,
      latencyMs: performance.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
