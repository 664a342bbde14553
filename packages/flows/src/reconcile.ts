// Reconcile: compares PostgreSQL (the source of truth) with Qdrant and DuckDB by ids per
// aggregate type, reports drift, and with `repair` re-emits what is missing (through the outbox,
// so the usual handlers apply it) and removes orphans.
import type { Analytics } from '@monsteros/analytics';
import type { Relational } from '@monsteros/relational';
import type { OutboxEventInput } from '@monsteros/schema';
import { z } from 'zod';
import { checkInput } from './boundary.js';
import { BULK_EVENT_TYPES, embedEvents } from './bulk/embed-events.js';
import { MEMORY_INGESTED } from './memory/side-effects.js';
import { EVENT_TYPES } from './outbox/events.js';
import type { VectorsPort } from './ports.js';

export interface DriftRow {
  /** What is compared, e.g. `interactions → qdrant character_memories`. */
  aggregate: string;
  store: 'qdrant' | 'duckdb' | 'redis';
  postgres: number;
  store_count: number;
  /** In PostgreSQL, not in the store, and no pending event on its way (a parked one counts). */
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

const ReconcileOptions = z.object(
  { repair: z.boolean({ message: 'must be true or false' }).optional() },
  { message: 'must be an object' },
);

export interface ReconcileDeps {
  relational: Relational;
  vectors: VectorsPort;
  analytics: Analytics | null;
  /** Brings DuckDB up to date before comparing (ingestion by watermark). */
  syncAnalytics(): Promise<unknown>;
  /** Whether the memory graph's outbox handler runs (the data layer has a memory). */
  memoryGraph: boolean;
  kick(): void;
  /**
   * The `response_time` samples in Redis (one per interaction, its id the interaction's): the ids
   * of a character's samples since `from` (null when the backend keeps no ids: RedisTimeSeries),
   * and writing missing ones back. Without it, samples are not compared.
   */
  metricSamples?: {
    ids(character: string, from: Date): Promise<Set<string> | null>;
    record(sample: MetricSampleToRecord): Promise<void>;
  };
}

/** One interaction's `response_time` sample, as its `interaction.cache` event carries it. */
export interface MetricSampleToRecord {
  interactionId: string;
  character: string;
  responseTimeMs: number;
  createdAt: string;
}

/**
 * The window of samples compared: inside the series' retention (24 h), with an hour's margin so
 * a sample aging out while reconcile runs is not taken for lost.
 */
const SAMPLE_WINDOW_MS = 23 * 3_600_000;

const diff = (source: Set<string>, store: Set<string>, inFlight: Set<string> = new Set()) => ({
  missing: [...source].filter((id) => !store.has(id) && !inFlight.has(id)).sort(),
  orphans: [...store].filter((id) => !source.has(id)).sort(),
});

async function idsOf(relational: Relational, sql: string): Promise<Set<string>> {
  const { rows } = await relational.pool.query<{ id: string }>(sql);
  return new Set(rows.map((r) => r.id));
}

/**
 * Ids whose effect is still on its way through the outbox (pending, not parked): not drift. A
 * parked event has exhausted its retries and will not be applied unless someone acts, so its ids
 * are drift (and `repair` re-emits them; applying the parked event later too is idempotent).
 * Each source names an event type and the payload field holding one id, or (`list`) an array.
 */
async function inFlight(
  relational: Relational,
  sources: Array<{ eventType: string; key: string; list?: boolean }>,
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const { eventType, key, list } of sources) {
    const { rows } = await relational.pool.query<{ id: string }>(
      list
        ? `select jsonb_array_elements_text(payload -> $2) as id from outbox
            where event_type = $1 and processed_at is null and parked_at is null
              and jsonb_typeof(payload -> $2) = 'array'`
        : `select payload ->> $2 as id from outbox
            where event_type = $1 and processed_at is null and parked_at is null`,
      [eventType, key],
    );
    for (const r of rows) if (r.id !== null) ids.add(r.id);
  }
  return ids;
}

/** Appends events in transactions of at most 20 (10,000 ids of bulk embeds). */
async function appendEvents(relational: Relational, events: OutboxEventInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += 20) {
    const chunk = events.slice(i, i + 20);
    await relational.transaction(async (tx) => {
      await tx.outbox.append(chunk);
    });
  }
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
  // `repair` removes orphans: only a real `true` runs it (`'no'` once did).
  const { repair = false } = checkInput(ReconcileOptions, options, 'options');
  const started = performance.now();
  const { relational, vectors } = deps;
  const rows: DriftRow[] = [];
  const sample = (ids: string[]) => ids.slice(0, 5);

  // Each store is read before PostgreSQL: a point is written only after its row committed, so
  // every point read has its row in the later PostgreSQL read, and one written meanwhile is never
  // taken for an orphan (and removed). A row committed meanwhile may look missing: re-emitting it
  // is idempotent.

  // Interactions → character memories in Qdrant.
  const memories = await vectors.storedInteractionIds();
  const interactions = await idsOf(relational, 'select id::text as id from character_interactions');
  const memoryDrift = diff(
    interactions,
    memories,
    await inFlight(relational, [
      { eventType: EVENT_TYPES.interactionEmbed, key: 'interactionId' },
      { eventType: BULK_EVENT_TYPES.interactionsEmbed, key: 'interactionIds', list: true },
    ]),
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
  const embedded = await vectors.storedAchievementIds();
  const grants = await idsOf(relational, 'select id::text as id from user_achievements');
  const grantDrift = diff(
    grants,
    embedded,
    await inFlight(relational, [
      { eventType: EVENT_TYPES.achievementEmbed, key: 'grantId' },
      { eventType: BULK_EVENT_TYPES.achievementGrantsEmbed, key: 'grantIds', list: true },
    ]),
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

  // The memory graph's entities and passages → their points in `memory_embeddings`, and its
  // triples → their fact points in `knowledge_graph_vectors`; both re-emitted as `memory.ingested`.
  let graphRow: DriftRow | null = null;
  let graphDrift: ReturnType<typeof diff> | null = null;
  let factRow: DriftRow | null = null;
  let factDrift: ReturnType<typeof diff> | null = null;
  const graphRows = new Map<string, GraphRow>();
  if (deps.memoryGraph) {
    const stored = await vectors.storedMemoryGraphIds();
    const storedFacts = await vectors.storedMemoryFactIds();
    const { rows: graph } = await relational.pool.query<{ id: string } & GraphRow>(
      `select id::text as id, character_context as character, 'entity' as kind from memory_entities
       union all
       select id::text, character_context, 'passage' from memory_passages
       union all
       select id::text, character_context, 'triple' from memory_triples`,
    );
    for (const r of graph) graphRows.set(r.id, { character: r.character, kind: r.kind });
    const onTheirWay = await inFlight(relational, [
      { eventType: MEMORY_INGESTED, key: 'entityIds', list: true },
      { eventType: MEMORY_INGESTED, key: 'passageIds', list: true },
      { eventType: MEMORY_INGESTED, key: 'tripleIds', list: true },
    ]);
    const ofKind = (kind: GraphRow['kind'][]) =>
      new Set([...graphRows].filter(([, r]) => kind.includes(r.kind)).map(([id]) => id));
    graphDrift = diff(ofKind(['entity', 'passage']), stored, onTheirWay);
    const nodes = graphRows.size - ofKind(['triple']).size;
    graphRow = {
      aggregate: 'memory entities and passages → qdrant memory_embeddings',
      store: 'qdrant',
      postgres: nodes,
      store_count: stored.size,
      missing: graphDrift.missing.length,
      orphans: graphDrift.orphans.length,
      repaired: null,
      sample: { missing: sample(graphDrift.missing), orphans: sample(graphDrift.orphans) },
    };
    rows.push(graphRow);
    const triples = ofKind(['triple']);
    factDrift = diff(triples, storedFacts, onTheirWay);
    factRow = {
      aggregate: 'memory facts (triples) → qdrant knowledge_graph_vectors',
      store: 'qdrant',
      postgres: triples.size,
      store_count: storedFacts.size,
      missing: factDrift.missing.length,
      orphans: factDrift.orphans.length,
      repaired: null,
      sample: { missing: sample(factDrift.missing), orphans: sample(factDrift.orphans) },
    };
    rows.push(factRow);
  }

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

  // Interactions → their response_time samples in Redis. A Redis restarted empty (or a sample
  // written while it was down whose event then parked) loses them silently otherwise: the flows'
  // events were applied, and nothing re-applies them.
  let sampleRow: DriftRow | null = null;
  let samplesMissing: MetricSampleToRecord[] = [];
  if (deps.metricSamples) {
    const from = new Date(Date.now() - SAMPLE_WINDOW_MS);
    const { rows: events } = await relational.pool.query<MetricSampleToRecord & { in_flight: boolean }>(
      `select payload ->> 'interactionId' as "interactionId", payload ->> 'character' as character,
              (payload ->> 'responseTimeMs')::int as "responseTimeMs", payload ->> 'createdAt' as "createdAt",
              (processed_at is null and parked_at is null) as in_flight
         from outbox
        where event_type = $1 and created_at >= $2 and (payload ->> 'createdAt')::timestamptz >= $2`,
      [EVENT_TYPES.interactionCache, from],
    );
    const byCharacter = new Map<string, Array<MetricSampleToRecord & { in_flight: boolean }>>();
    for (const e of events) {
      const list = byCharacter.get(e.character) ?? [];
      list.push(e);
      byCharacter.set(e.character, list);
    }
    let present = 0;
    let comparable = true;
    for (const [character, list] of byCharacter) {
      const ids = await deps.metricSamples.ids(character, from);
      if (ids === null) {
        comparable = false;
        break;
      }
      for (const e of list) {
        if (ids.has(e.interactionId)) present++;
        else if (!e.in_flight) samplesMissing.push(e);
      }
    }
    if (comparable) {
      samplesMissing = samplesMissing.map(({ interactionId, character, responseTimeMs, createdAt }) => ({
        interactionId,
        character,
        responseTimeMs,
        createdAt,
      }));
      sampleRow = {
        aggregate: 'interactions → redis response_time samples (23 h)',
        store: 'redis',
        postgres: events.length,
        store_count: present,
        missing: samplesMissing.length,
        // Samples nobody's interaction wrote (the seed's) are not judged.
        orphans: 0,
        repaired: null,
        sample: { missing: sample(samplesMissing.map((m) => m.interactionId).sort()), orphans: [] },
      };
      rows.push(sampleRow);
    } else samplesMissing = [];
  }

  if (repair) {
    if (sampleRow && deps.metricSamples) {
      for (const m of samplesMissing) await deps.metricSamples.record(m);
      sampleRow.repaired = { reemitted: samplesMissing.length, removed: 0 };
    }
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
    if (graphRow && graphDrift && factRow && factDrift) {
      await appendEvents(
        relational,
        memoryGraphEvents([...graphDrift.missing, ...factDrift.missing], graphRows),
      );
      if (graphDrift.orphans.length) await vectors.forgetMemoryGraph(graphDrift.orphans);
      if (factDrift.orphans.length) await vectors.forgetMemoryFacts(factDrift.orphans);
      graphRow.repaired = { reemitted: graphDrift.missing.length, removed: graphDrift.orphans.length };
      factRow.repaired = { reemitted: factDrift.missing.length, removed: factDrift.orphans.length };
    }
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
    repaired: repair,
    rows,
    durationMs: performance.now() - started,
  };
}

/** Re-emits the embedding of these interactions: bulk events, the handler reads the rows back. */
async function reemitMemories(relational: Relational, ids: string[]): Promise<number> {
  await appendEvents(relational, embedEvents(BULK_EVENT_TYPES.interactionsEmbed, 'interactionIds', ids));
  return ids.length;
}

/** Re-emits the embedding of these achievement grants, the same way. */
async function reemitGrants(relational: Relational, ids: string[]): Promise<number> {
  await appendEvents(relational, embedEvents(BULK_EVENT_TYPES.achievementGrantsEmbed, 'grantIds', ids));
  return ids.length;
}

/** A row of the memory graph, by id: its character and what it is. */
interface GraphRow {
  character: string;
  kind: 'entity' | 'passage' | 'triple';
}

/** `memory.ingested` events for missing entities, passages and triples, per character, ≤ 1,000 ids each. */
function memoryGraphEvents(missing: string[], graph: Map<string, GraphRow>): OutboxEventInput[] {
  const byCharacter = new Map<string, string[]>();
  for (const id of missing) {
    const { character } = graph.get(id)!;
    const ids = byCharacter.get(character);
    if (ids) ids.push(id);
    else byCharacter.set(character, [id]);
  }
  const events: OutboxEventInput[] = [];
  for (const [character, ids] of byCharacter) {
    for (let i = 0; i < ids.length; i += 1_000) {
      const chunk = ids.slice(i, i + 1_000);
      events.push({
        aggregate_type: 'memory',
        aggregate_id: character,
        event_type: MEMORY_INGESTED,
        payload: {
          character,
          entityIds: chunk.filter((id) => graph.get(id)!.kind === 'entity'),
          passageIds: chunk.filter((id) => graph.get(id)!.kind === 'passage'),
          tripleIds: chunk.filter((id) => graph.get(id)!.kind === 'triple'),
        },
      });
    }
  }
  return events;
}

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
