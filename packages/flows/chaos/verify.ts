// The checks after the run: store by store, every acknowledged write present exactly once and
// nothing else. Expected values come from the plan and the acknowledgements, never from the store
// under check.
import { normalizeEntityName } from '@monsteros/relational';
import type { DataLayer } from '../src/index.js';
import type { Ack } from './perform.js';
import { type ChaosWorld, markerOf, type Op } from './plan.js';

export interface StoreCheck {
  store: 'postgres' | 'qdrant' | 'duckdb' | 'redis';
  what: string;
  /** Writes acknowledged (or derived from them: achievements, entities). */
  expected: number;
  /** What the store holds of them (distinct). */
  present: number;
  lost: number;
  duplicated: number;
  /** In the store, not expected (a write nobody was told about). */
  unexplained: number;
}

export interface Verification {
  checks: StoreCheck[];
  /** Operation ids with a lost / duplicated write in some store. */
  lostOps: Set<string>;
  duplicatedOps: Set<string>;
}

/** Counts of `keys` by key. */
function tally(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/**
 * Compares `expected` keys with the `found` tally: lost, duplicated, unexplained; `opOf` maps a
 * key to its operation id, so the per-phase table can say which operations lost a write.
 */
function compare(
  base: Pick<StoreCheck, 'store' | 'what'>,
  expected: Set<string>,
  found: Map<string, number>,
  into: Verification,
  opOf: (key: string) => string | undefined = () => undefined,
  ignore: (key: string) => boolean = () => false,
): void {
  let lost = 0;
  let duplicated = 0;
  let present = 0;
  for (const key of expected) {
    const n = found.get(key) ?? 0;
    if (n === 0) {
      lost++;
      const op = opOf(key);
      if (op) into.lostOps.add(op);
    } else present++;
    if (n > 1) {
      duplicated++;
      const op = opOf(key);
      if (op) into.duplicatedOps.add(op);
    }
  }
  const unexplained = [...found.keys()].filter((k) => !expected.has(k) && !ignore(k)).length;
  into.checks.push({ ...base, expected: expected.size, present, lost, duplicated, unexplained });
}

/** Every point of a collection: its payload field `field` (the source row's id), tallied. */
async function pointsBy(
  data: DataLayer,
  collection: 'character_memories' | 'memory_embeddings' | 'knowledge_graph_vectors',
  field: string,
  keep: (payload: Record<string, unknown>) => boolean,
): Promise<Map<string, number>> {
  const store = data.vectors.store!;
  const name = store.collectionName(collection);
  const ids: string[] = [];
  let offset: string | number | undefined;
  for (;;) {
    const page = await store.client.scroll(name, {
      limit: 1_000,
      with_payload: true,
      with_vector: false,
      ...(offset !== undefined ? { offset } : {}),
    });
    for (const p of page.points) {
      const payload = (p.payload ?? {}) as Record<string, unknown>;
      if (keep(payload)) ids.push(String(payload[field]));
    }
    if (page.next_page_offset === null || page.next_page_offset === undefined) break;
    offset = page.next_page_offset as string | number;
  }
  return tally(ids);
}

/** The achievements a user's completed quests earn, by the criteria the world defined. */
function earned(world: ChaosWorld, completed: Set<string>): string[] {
  const out: string[] = [];
  for (const a of world.achievements) {
    if (a.kind === 'quests_completed_count' && completed.size >= a.threshold) out.push(a.id);
    if (
      a.kind === 'category_mastery' &&
      world.quests.filter((q) => q.category === a.category).every((q) => completed.has(q.id))
    )
      out.push(a.id);
  }
  return out;
}

export async function verify(
  data: DataLayer,
  world: ChaosWorld,
  ops: readonly Op[],
  acks: ReadonlyMap<string, Ack>,
): Promise<Verification> {
  const out: Verification = { checks: [], lostOps: new Set(), duplicatedOps: new Set() };
  const acked = ops.filter((op) => acks.has(op.id));
  // Operations that were never acknowledged (gave up): their writes may or may not exist.
  const inDoubt = new Set(ops.filter((op) => !acks.has(op.id)).map((op) => op.id));
  const pool = data.relational.pool;

  // Interactions: PostgreSQL rows by their operation's marker, then their points and DuckDB rows.
  const { rows: interactionRows } = await pool.query<{ id: string; message: string }>(
    'select id::text as id, message from character_interactions',
  );
  const rowOp = new Map(interactionRows.map((r) => [r.id, markerOf(r.message) ?? `?${r.id}`]));
  const interactionOps = new Set(acked.filter((op) => op.kind === 'interaction').map((op) => op.id));
  compare(
    { store: 'postgres', what: 'character_interactions (rows per interaction call)' },
    interactionOps,
    tally(rowOp.values()),
    out,
    (k) => k,
    (k) => inDoubt.has(k),
  );
  // The row of each acknowledged call is the one it was told about.
  const ackedIds = new Set([...interactionOps].map((id) => acks.get(id)!.interactionId!));
  const rowIds = new Set(rowOp.keys());
  for (const id of interactionOps) if (!rowIds.has(acks.get(id)!.interactionId!)) out.lostOps.add(id);
  const opOfRow = (rowId: string) => rowOp.get(rowId);
  compare(
    { store: 'qdrant', what: 'character_memories (points per interaction)' },
    ackedIds,
    await pointsBy(data, 'character_memories', 'interaction_id', (p) => p.memory_type !== 'consolidated'),
    out,
    opOfRow,
    (k) => inDoubt.has(rowOp.get(k) ?? ''),
  );
  if (data.analytics) {
    const duckIds = await data.analytics.ids('character_interactions');
    const perCharacter = await data.analytics.views.characterPerformance();
    const duckRows = perCharacter.reduce((n, r) => n + Number(r.interaction_count), 0);
    const found = tally(duckIds);
    // DuckDB's rows beyond its distinct ids are duplicates (not attributable to one id).
    const extra = duckRows - duckIds.size;
    compare(
      { store: 'duckdb', what: 'character_interactions (rows per interaction)' },
      ackedIds,
      found,
      out,
      opOfRow,
      (k) => inDoubt.has(rowOp.get(k) ?? ''),
    );
    out.checks.at(-1)!.duplicated += extra;
  }

  // Each interaction's response_time sample in Redis (its id the interaction's): the ones a Redis
  // restarted empty lost are found and written back by reconcile's repair.
  const sampleIds: string[] = [];
  for (const character of world.characters)
    for (const s of await data.cache.metrics.samples('response_time', character))
      if (s.id !== undefined) sampleIds.push(s.id);
  compare(
    { store: 'redis', what: 'response_time samples (per interaction)' },
    ackedIds,
    tally(sampleIds),
    out,
    opOfRow,
    (k) => inDoubt.has(rowOp.get(k) ?? ''),
  );

  // Quest completions: one completed progress row per acknowledged (user, quest).
  const questOps = acked.flatMap((op) => (op.kind === 'quest' ? [op] : []));
  const pairOp = new Map(questOps.map((op) => [`${op.userId}/${op.questId}`, op.id]));
  const { rows: progress } = await pool.query<{ id: string; pair: string }>(
    `select id::text as id, user_id::text || '/' || quest_id::text as pair
       from user_quest_progress where completed_at is not null`,
  );
  const inDoubtPairs = new Set(
    ops.flatMap((op) => (op.kind === 'quest' && inDoubt.has(op.id) ? [`${op.userId}/${op.questId}`] : [])),
  );
  compare(
    { store: 'postgres', what: 'user_quest_progress (completed, per completion call)' },
    new Set(pairOp.keys()),
    tally(progress.map((r) => r.pair)),
    out,
    (k) => pairOp.get(k),
    (k) => inDoubtPairs.has(k),
  );
  if (data.analytics) {
    const duckIds = await data.analytics.ids('quest_completions');
    const perUser = await data.analytics.views.learningAnalytics();
    const duckRows = perUser.reduce((n, r) => n + Number(r.quests_completed), 0);
    const progressOp = new Map(progress.map((r) => [r.id, pairOp.get(r.pair)]));
    compare(
      { store: 'duckdb', what: 'quest_completions (rows per completion)' },
      new Set(progress.filter((r) => pairOp.has(r.pair)).map((r) => r.id)),
      tally(duckIds),
      out,
      (k) => progressOp.get(k),
      (k) => !progressOp.has(k),
    );
    out.checks.at(-1)!.duplicated += duckRows - duckIds.size;
  }

  // Achievements: what the acknowledged completions earn, each granted once, each embedded once.
  const completedBy = new Map<string, Set<string>>();
  for (const op of questOps) {
    const set = completedBy.get(op.userId) ?? new Set<string>();
    set.add(op.questId);
    completedBy.set(op.userId, set);
  }
  const expectedGrants = new Set<string>();
  for (const [userId, completed] of completedBy)
    for (const a of earned(world, completed)) expectedGrants.add(`${userId}/${a}`);
  const { rows: grants } = await pool.query<{ id: string; pair: string; user_id: string }>(
    `select id::text as id, user_id::text || '/' || achievement_id::text as pair, user_id::text as user_id
       from user_achievements`,
  );
  const doubtfulUsers = new Set(
    ops.flatMap((op) => (op.kind === 'quest' && inDoubt.has(op.id) ? [op.userId] : [])),
  );
  compare(
    { store: 'postgres', what: 'user_achievements (grants earned)' },
    expectedGrants,
    tally(grants.map((g) => g.pair)),
    out,
    undefined,
    (k) => doubtfulUsers.has(k.split('/')[0]!),
  );
  compare(
    { store: 'qdrant', what: 'memory_embeddings (points per achievement grant)' },
    new Set(grants.filter((g) => expectedGrants.has(g.pair)).map((g) => g.id)),
    await pointsBy(data, 'memory_embeddings', 'entity_id', (p) => p.entity_type === 'achievement'),
    out,
    undefined,
    (k) => grants.some((g) => g.id === k && doubtfulUsers.has(g.user_id)),
  );

  // Memory ingests: one passage row per acknowledged ingest, the entities its triples name, one
  // point per passage and entity, and one fact point per triple.
  const ingestOps = acked.flatMap((op) => (op.kind === 'ingest' ? [op] : []));
  const { rows: passages } = await pool.query<{ id: string; content: string }>(
    'select id::text as id, content from memory_passages',
  );
  const passageOp = new Map(passages.map((p) => [p.id, markerOf(p.content) ?? `?${p.id}`]));
  compare(
    { store: 'postgres', what: 'memory_passages (rows per ingest call)' },
    new Set(ingestOps.map((op) => op.id)),
    tally(passageOp.values()),
    out,
    (k) => k,
    (k) => inDoubt.has(k),
  );
  const expectedEntities = new Set<string>();
  const doubtfulEntities = new Set<string>();
  for (const op of ops) {
    if (op.kind !== 'ingest') continue;
    for (const [s, , o] of op.triples)
      for (const name of [s, o])
        (acks.has(op.id) ? expectedEntities : doubtfulEntities).add(
          `${op.character}/${normalizeEntityName(name)}`,
        );
  }
  const { rows: entities } = await pool.query<{ id: string; key: string }>(
    `select id::text as id, character_context || '/' || normalized_name as key from memory_entities`,
  );
  compare(
    { store: 'postgres', what: 'memory_entities (entities the ingests name)' },
    expectedEntities,
    tally(entities.map((e) => e.key)),
    out,
    undefined,
    (k) => doubtfulEntities.has(k),
  );
  const ingestIds = new Set(ingestOps.map((op) => op.id));
  const graphIds = new Set([
    ...passages.filter((p) => ingestIds.has(passageOp.get(p.id)!)).map((p) => p.id),
    ...entities.filter((e) => expectedEntities.has(e.key)).map((e) => e.id),
  ]);
  const graphRows = new Set([...passages.map((p) => p.id), ...entities.map((e) => e.id)]);
  compare(
    { store: 'qdrant', what: 'memory_embeddings (points per passage and entity)' },
    graphIds,
    await pointsBy(data, 'memory_embeddings', 'entity_id', (p) => p.entity_type !== 'achievement'),
    out,
    (k) => passageOp.get(k),
    (k) => graphRows.has(k) && !graphIds.has(k),
  );
  // Facts: one knowledge_graph_vectors point per triple of an acknowledged ingest's passage.
  const { rows: triples } = await pool.query<{ id: string; passage_id: string }>(
    'select id::text as id, passage_id::text as passage_id from memory_triples',
  );
  const tripleOp = new Map(triples.map((t) => [t.id, passageOp.get(t.passage_id)]));
  const factIds = new Set(triples.filter((t) => ingestIds.has(tripleOp.get(t.id) ?? '')).map((t) => t.id));
  compare(
    { store: 'qdrant', what: 'knowledge_graph_vectors (points per triple)' },
    factIds,
    await pointsBy(data, 'knowledge_graph_vectors', 'triple_id', () => true),
    out,
    (k) => tripleOp.get(k),
    (k) => tripleOp.has(k) && !factIds.has(k),
  );
  return out;
}
