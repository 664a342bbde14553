// The closing phases: the outbox applied (the imports' embeddings, what the memory left), the
// analytics ingested, and every store compared with PostgreSQL and repaired.
import type { DataLayer } from '@monsteros/flows';
import type { SeedRunOptions } from '../seed.js';

// Large sizes embed for minutes: the bound is for a relay that makes no progress at all.
const SETTLE_TIMEOUT_MS = 30 * 60_000;

export async function applyOutbox(data: DataLayer, options: SeedRunOptions): Promise<void> {
  const relay = options.progress.phase('outbox', 1);
  const left = await data.relay.settle({ timeoutMs: SETTLE_TIMEOUT_MS });
  relay.tick();
  relay.done(
    left.parked
      ? `${left.parked} events parked (see relay.retryParked, pnpm db:reconcile)`
      : 'every event applied',
  );
}

export async function syncAnalytics(data: DataLayer, options: SeedRunOptions): Promise<void> {
  const analytics = options.progress.phase('analytics', 1);
  const ingested = await data.syncAnalytics();
  analytics.tick();
  analytics.done(`${ingested.reduce((n, r) => n + r.inserted, 0)} new rows in DuckDB`);
}

export async function reconcileStores(data: DataLayer, options: SeedRunOptions): Promise<void> {
  // Stores that lost data or were replaced (a fresh vector directory beside a seeded database:
  // the imports above found every row present and emitted nothing) are filled from PostgreSQL.
  const check = options.progress.phase('reconcile', 1);
  const drift = await data.reconcile({ repair: true });
  if (!drift.ok) await data.relay.settle({ timeoutMs: SETTLE_TIMEOUT_MS });
  check.tick();
  check.done(
    drift.ok
      ? 'every store matches PostgreSQL'
      : drift.rows
          .filter((r) => r.missing || r.orphans)
          .map((r) => `${r.aggregate}: ${r.missing} refilled, ${r.orphans} orphans removed`)
          .join('; '),
  );
}
