// Reconcile: compares PostgreSQL (the source of truth) with Qdrant and DuckDB by ids per
// aggregate type, reports drift, and with `repair` re-emits what is missing (through the outbox,
// so the usual handlers apply it) and removes orphans.
import type { Analytics } from '@monsteros/analytics';
import type { Relational } from '@monsteros/relational';
import { EVENT_TYPES } from './events.js';
import type { VectorsPort } from './ports.js';

export interface DriftRow {
  /** What is compared, e.g. `interactions → qdrant character_memories`. */
  aggregate: string;
  store: 'qdrant' | 'duckdb';
  postgres: number;
  store_count: number;
  /** In PostgreSQL, not in the store (and no event on its way). */
  missing: number;
  /** In the store, not in PostgreSQL. */
  orphans: number;
  /** With `repair`: events re-emitted and orphans removed. */
  repaired: { reemitted: number; removed: number } | null;
  /** A few ids of each kind, for a human to look at. */
  sample: { missing: string[]; orphans: string[] };
}

export interface ReconcileReport {
  ok: boolean;
  repaired: boolean;
  rows: DriftRow[];
  durationMs: number;
}

export interface ReconcileDeps {
  relational: Relational;
  vectors: VectorsPort;
  analytics: Analytics | null;
  /** Brings DuckDB up to date before comparing (ingestion by watermark). */
  syncAnalytics(): Promise<unknown>;
  kick(): void;
}

const diff = (source: Set<string>, store: Set<string>, inFlight: Set<string> = new Set()) => ({
  missing: [...source].filter((id) => !store.has(id) && !inFlight.has(id)).sort(),
  orphans: [...store].filter((id) => !source.has(id)).sort(),
});

async function idsOf(relational: Relational, sql: string): Promise<Set<string>> {
  const { rows } = await relational.pool.query<{ id: string }>(sql);
  return new Set(rows.map((r) => r.id));
}

/** Ids whose effect of `eventType` is still in the outbox (pending or parked): not drift. */
async function inFlight(relational: Relational, eventType: string, key: string): Promise<Set<string>> {
  const { rows } = await relational.pool.query<{ id: string }>(
    `select payload ->> $2 as id from outbox where event_type = $1 and processed_at is null`,
    [eventType, key],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Compares the stores with PostgreSQL; with `repair`, fixes the drift.
 * @example
 * const report = await reconcile(deps, { repair: true });
 */
export async function reconcile(
  deps: ReconcileDeps,
  options: { repair?: boolean } = {},
): Promise<ReconcileReport> {
  const started = performance.now();
  const { relational, vectors } = deps;
  const rows: DriftRow[] = [];
  const sample = (ids: string[]) => ids.slice(0, 5);

  // Interactions → character memories in Qdrant.
  const interactions = await idsOf(relational, 'select id::text as id from character_interactions');
  const memories = await vectors.storedInteractionIds();
  const memoryDrift = diff(
    interactions,
    memories,
    await inFlight(relational, EVENT_TYPES.interactionEmbed, 'interactionId'),
  );
  const memoryRow: DriftRow = {
    aggregate: 'interactions → qdrant character_memories',
    store: 'qdrant',
    postgres: interactions.size,
    store_count: memories.size,
    missing: memoryDrift.missing.length,
    orphans: memoryDrift.orphans.length,
    repaired: null,
    sample: { missing: sample(memoryDrift.missing), orphans: sample(memoryDrift.orphans) },
  };
  rows.push(memoryRow);

  // Achievement grants → achievement embeddings in Qdrant.
  const grants = await idsOf(relational, 'select id::text as id from user_achievements');
  const embedded = await vectors.storedAchievementIds();
  const grantDrift = diff(
    grants,
    embedded,
    await inFlight(relational, EVENT_TYPES.achievementEmbed, 'grantId'),
  );
  const grantRow: DriftRow = {
    aggregate: 'achievement grants → qdrant memory_embeddings',
    store: 'qdrant',
    postgres: grants.size,
    store_count: embedded.size,
    missing: grantDrift.missing.length,
    orphans: grantDrift.orphans.length,
    repaired: null,
    sample: { missing: sample(grantDrift.missing), orphans: sample(grantDrift.orphans) },
  };
  rows.push(grantRow);

  // Interactions → DuckDB, after bringing it up to date.
  let duckRow: DriftRow | null = null;
  let duckDrift: ReturnType<typeof diff> | null = null;
  if (deps.analytics) {
    await deps.syncAnalytics();
    const ingested = await deps.analytics.ids('character_interactions');
    const current = await idsOf(relational, 'select id::text as id from character_interactions');
    duckDrift = diff(current, ingested);
    duckRow = {
      aggregate: 'interactions → duckdb character_interactions',
      store: 'duckdb',
      postgres: current.size,
      store_count: ingested.size,
      missing: duckDrift.missing.length,
      orphans: duckDrift.orphans.length,
      repaired: null,
      sample: { missing: sample(duckDrift.missing), orphans: sample(duckDrift.orphans) },
    };
    rows.push(duckRow);
  }

  if (options.repair) {
    memoryRow.repaired = {
      reemitted: await reemitMemories(relational, memoryDrift.missing),
      removed: memoryDrift.orphans.length,
    };
    if (memoryDrift.orphans.length) await vectors.forget(memoryDrift.orphans);
    grantRow.repaired = {
      reemitted: await reemitGrants(relational, grantDrift.missing),
      removed: grantDrift.orphans.length,
    };
    if (grantDrift.orphans.length) await vectors.forgetAchievements(grantDrift.orphans);
    if (duckRow && duckDrift && deps.analytics) {
      // Missing rows are older than the watermark (it moved past them): re-ingesting cannot
      // see them, so they are reported; orphans are removed.
      duckRow.repaired = {
        reemitted: 0,
        removed: await deps.analytics.deleteIds('character_interactions', duckDrift.orphans),
      };
    }
    deps.kick();
  }
  return {
    ok: rows.every((r) => r.missing === 0 && r.orphans === 0),
    repaired: options.repair === true,
    rows,
    durationMs: performance.now() - started,
  };
}

async function reemitMemories(relational: Relational, ids: string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 1_000) {
    const batch = ids.slice(i, i + 1_000);
    const { rows } = await relational.pool.query<{
      id: string;
      name: string;
      user_id: string;
      message: string;
      response: string;
      created_at: Date;
    }>(
      `select i.id, c.name, i.user_id, i.message, i.response, i.created_at
         from character_interactions i join character_agents c on c.id = i.character_id
        where i.id = any($1::uuid[])`,
      [batch],
    );
    await relational.transaction(async (tx) => {
      await tx.outbox.append(
        rows.map((r) => ({
          aggregate_type: 'vectors',
          aggregate_id: `interaction:${r.id}`,
          event_type: EVENT_TYPES.interactionEmbed,
          payload: {
            interactionId: r.id,
            character: r.name,
            userId: r.user_id,
            text: r.message,
            summary: `${r.message}\n${r.response}`,
            createdAt: r.created_at.toISOString(),
            learningValue: 0.5,
          },
        })),
      );
    });
    n += rows.length;
  }
  return n;
}

async function reemitGrants(relational: Relational, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const { rows } = await relational.pool.query<{
    id: string;
    user_id: string;
    name: string;
    description: string;
    points: number;
    awarded_at: Date;
  }>(
    `select g.id, g.user_id, a.name, a.description, a.points, g.awarded_at
       from user_achievements g join achievements a on a.id = g.achievement_id where g.id = any($1::uuid[])`,
    [ids],
  );
  if (!rows.length) return 0;
  await relational.transaction(async (tx) => {
    await tx.outbox.append(
      rows.map((r) => ({
        aggregate_type: 'vectors',
        aggregate_id: `achievement:${r.id}`,
        event_type: EVENT_TYPES.achievementEmbed,
        payload: {
          grantId: r.id,
          userId: r.user_id,
          name: r.name,
          description: r.description,
          awardedAt: r.awarded_at.toISOString(),
          points: r.points,
        },
      })),
    );
  });
  return rows.length;
}

/** The report as a terminal table. */
export function formatReconcile(report: ReconcileReport): string {
  const header = ['aggregate', 'store', 'postgres', 'store count', 'missing', 'orphans', 'repaired'];
  const lines = report.rows.map((r) => [
    r.aggregate,
    r.store,
    String(r.postgres),
    String(r.store_count),
    String(r.missing),
    String(r.orphans),
    r.repaired ? `re-emitted ${r.repaired.reemitted}, removed ${r.repaired.removed}` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [
    row(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.map(row),
    '',
    report.ok
      ? 'no drift'
      : report.repaired
        ? 'drift found and repaired (re-emitted events are applied by the relay)'
        : 'drift found: run with --repair',
  ].join('\n');
}
