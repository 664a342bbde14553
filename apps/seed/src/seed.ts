// `pnpm seed`: fills PostgreSQL, Redis, the vector store and DuckDB with one coherent,
// deterministic MonsterOS (see generate/dataset.ts) through the data layer: the interactions and
// achievement grants through its bulk imports (rows and outbox events in one transaction; the
// relay embeds them), --reset through data.reset(). Every write is keyed by a natural or derived
// id and skips what exists, so a second run changes nothing.
import { createHash } from 'node:crypto';
import { createDataLayer, type DataLayer, type DataLayerOptions } from '@monsteros/flows';
import { buildDataset, type SeedDataset, type SeedInteraction } from './generate/dataset.js';
import { Random, stableUuid } from './generate/random.js';
import type { SeedOptions } from './options.js';
import type { ProgressReporter } from './progress.js';

/** A precondition failed: nothing was written. Says what to do. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
  constructor(
    readonly code: 'UNAVAILABLE' | 'NOT_OURS' | 'NOT_DEVELOPMENT' | 'CONFIRM',
    message: string,
  ) {
    super(message);
  }
}

export const ENVIRONMENT_KEY = 'monsteros.environment';

export interface SeedSummaryRow {
  store: string;
  what: string;
  count: number;
}

export interface SeedSummary {
  rows: SeedSummaryRow[];
  seconds: number;
}

export interface SeedRunOptions extends SeedOptions {
  /** Data layer options (tests point it at their own database, prefix and directories). */
  dataLayer?: DataLayerOptions;
  /** Asks the user to confirm --reset; resolves true to go on. */
  confirm?: (question: string) => Promise<boolean>;
  progress: ProgressReporter;
  /** The day the data is anchored to (default today, UTC). */
  anchor?: Date;
  /** The clock for the live Redis data, the last 24 h of metrics (default the current time). */
  now?: Date;
}

const BATCH = 2_000;
const chunks = <T>(items: readonly T[], size = BATCH): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Checks that the stores answer and the database is ours and meant for development; writes nothing. */
async function preflight(data: DataLayer, options: SeedRunOptions): Promise<{ marked: boolean }> {
  const [pg, redis] = await Promise.all([data.relational.health(3_000), data.cache.health()]);
  const where = (url: string) => {
    try {
      const u = new URL(url);
      return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
    } catch {
      return 'the configured address';
    }
  };
  if (!pg.ok) {
    throw new SeedError(
      'UNAVAILABLE',
      `PostgreSQL at ${where(data.config.databaseUrl)} is not reachable (${pg.error ?? 'no answer'}): start it with \`./scripts/run dev:setup\` (or \`bash scripts/services up\`), or set DATABASE_URL`,
    );
  }
  if (!redis.ok) {
    throw new SeedError(
      'UNAVAILABLE',
      `Redis at ${where(data.config.redisUrl)} is not reachable (${redis.error ?? redis.status}): start it with \`bash scripts/services up\`, or set REDIS_URL`,
    );
  }
  const { rows } = await data.relational.pool.query<{ ours: boolean }>(
    `select to_regclass('public._prisma_migrations') is not null
        and to_regclass('public.character_agents') is not null as ours`,
  );
  if (!rows[0]?.ours) {
    throw new SeedError(
      'NOT_OURS',
      'this database has no MonsterOS migrations (it is not ours, or not set up): run `pnpm db:deploy` on a MonsterOS database, or point DATABASE_URL at one',
    );
  }
  const marker = await data.relational.config.get<string>(ENVIRONMENT_KEY);
  if (marker && marker.value !== 'development' && !options.force) {
    throw new SeedError(
      'NOT_DEVELOPMENT',
      `this database is marked as ${JSON.stringify(marker.value)}, not development: refusing to seed (--force to override)`,
    );
  }
  if (!marker) {
    const used = await data.relational.pool.query<{ n: string }>(
      'select count(*) as n from character_agents',
    );
    if (Number(used.rows[0]!.n) > 0 && !options.force) {
      throw new SeedError(
        'NOT_DEVELOPMENT',
        `this database holds MonsterOS data but is not marked as development (system_config ${ENVIRONMENT_KEY}): refusing to seed (--force to override)`,
      );
    }
  }
  return { marked: marker !== null };
}

/** Our Redis keys (under the key prefix), a SCAN page at a time. */
async function* ourRedisKeys(data: DataLayer): AsyncGenerator<string[]> {
  // The cache package lists no keys, so this scans its client: fine for a standalone Redis
  // (a Cluster would need a scan per master).
  const redis = data.cache.redis as import('ioredis').Redis;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${data.config.keyPrefix}*`, 'COUNT', 1_000);
    yield keys;
    cursor = next;
  } while (cursor !== '0');
}

async function confirmReset(options: SeedRunOptions): Promise<void> {
  if (options.yes) return;
  const ok = options.confirm
    ? await options.confirm('Wipe all MonsterOS data in PostgreSQL, Redis, the vector store and DuckDB?')
    : false;
  if (!ok) {
    throw new SeedError(
      'CONFIRM',
      '--reset wipes every store: confirm at the prompt, or pass --yes (no prompt without a terminal)',
    );
  }
}

async function reset(data: DataLayer, options: SeedRunOptions): Promise<void> {
  const phase = options.progress.phase('reset', 1);
  const emptied = await data.reset();
  phase.tick();
  const points = Object.values(emptied.vectorPoints).reduce((a, b) => a + b, 0);
  phase.done(
    `${emptied.tables.length} tables, ${emptied.redisKeys} Redis keys, ${points} vectors${emptied.analytics ? ', DuckDB' : ''} emptied`,
  );
}

async function seedRelational(data: DataLayer, set: SeedDataset, options: SeedRunOptions): Promise<void> {
  const db = data.relational.kysely;
  const characters = options.progress.phase('characters', set.characters.length);
  await db
    .insertInto('character_agents')
    .values(
      set.characters.map((c) => ({
        name: c.name,
        display_name: c.display_name,
        role: c.role,
        backend_system: c.backend_system,
        personality_config: JSON.stringify(c.personality_config),
        capabilities: JSON.stringify(c.capabilities),
        performance_metrics: JSON.stringify({ avg_response_ms: c.latency_ms, quality: c.quality }),
      })),
    )
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  characters.tick(set.characters.length);
  characters.done();

  const users = options.progress.phase('users', set.users.length);
  for (const batch of chunks(set.users)) {
    await db
      .insertInto('user_profiles')
      .values(
        batch.map((u) => ({
          id: u.id,
          username: u.username,
          learning_preferences: JSON.stringify(u.learning_preferences),
          skill_progression: JSON.stringify(u.skill_progression),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    users.tick(batch.length);
  }
  users.done();

  const quests = options.progress.phase('quests', set.quests.length + set.achievements.length);
  await db
    .insertInto('quest_definitions')
    .values(
      set.quests.map((q) => ({
        id: q.id,
        quest_name: q.quest_name,
        category: q.category,
        difficulty: q.difficulty,
        learning_objectives: JSON.stringify(q.learning_objectives),
        quest_content: JSON.stringify(q.quest_content),
        character_mentors: JSON.stringify(q.character_mentors),
        prerequisites: JSON.stringify(q.prerequisites),
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('achievements')
    .values(
      set.achievements.map((a) => ({
        id: a.id,
        name: a.name,
        description: a.description,
        category: a.category,
        criteria: JSON.stringify(a.criteria),
        points: a.points,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  quests.tick(set.quests.length + set.achievements.length);
  quests.done();

  const progress = options.progress.phase('progress', set.progress.length + set.grants.length);
  for (const batch of chunks(set.progress)) {
    await db
      .insertInto('user_quest_progress')
      .values(
        batch.map((p) => ({
          id: stableUuid('progress', `${p.user_id}:${p.quest_id}`),
          user_id: p.user_id,
          quest_id: p.quest_id,
          progress_percentage: String(p.progress_percentage),
          current_chapter: p.current_chapter,
          completion_data: JSON.stringify(p.completion_data),
          started_at: p.started_at,
          completed_at: p.completed_at,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    progress.tick(batch.length);
  }
  // Grants through the bulk import: the rows and the events embedding them (what questProgress
  // does live) commit together; the relay writes the embeddings.
  for (const batch of chunks(set.grants)) {
    await data.bulk.achievementGrants(
      batch.map((g) => ({
        id: stableUuid('grant', `${g.user_id}:${g.achievement_id}`),
        userId: g.user_id,
        achievementId: g.achievement_id,
        awardedAt: g.awarded_at,
        context: { seeded: true },
      })),
    );
    progress.tick(batch.length);
  }
  progress.done(
    `${set.progress.filter((p) => p.completed_at).length} completions, ${set.grants.length} achievements`,
  );
}

async function seedInteractions(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  const phase = options.progress.phase('interactions', set.interactionCount);
  let batch: SeedInteraction[] = [];
  let inserted = 0;
  const flush = async () => {
    if (!batch.length) return;
    // Rows and the events embedding them (each interaction is a memory of its character, the
    // same point on every run) in one transaction; only new rows get events.
    const result = await data.bulk.interactions(
      batch.map((i) => ({
        id: i.id,
        character: i.character_name,
        userId: i.user_id,
        sessionId: i.session_id,
        message: i.message,
        response: i.response,
        responseTimeMs: i.response_time_ms,
        satisfaction: i.user_satisfaction,
        success: i.success,
        idempotencyKey: i.idempotency_key,
        createdAt: i.created_at,
      })),
    );
    inserted += result.inserted;
    phase.tick(batch.length);
    batch = [];
  };
  for (const interaction of set.interactions()) {
    batch.push(interaction);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  phase.done(`${inserted} new, their embeddings queued in the outbox`);
}

/** Recalls the seed makes of each character's memory after ingesting it. */
const RECALLS_PER_CHARACTER = 3;

async function seedKnowledge(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  const byCharacter = new Map<string, SeedDataset['passages']>();
  for (const p of set.passages) byCharacter.set(p.character, [...(byCharacter.get(p.character) ?? []), p]);
  const phase = options.progress.phase('memory graph', set.passages.length + set.documents.length);
  let inserted = 0;
  let recalled = 0;
  for (const [character, passages] of [...byCharacter].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (data.memory) {
      const result = await data.memory.ingest({
        character,
        passages: passages.map((p) => ({ text: p.text, triples: p.triples })),
      });
      inserted += result.passages.inserted;
      // A few real recalls of what was just stored: the memory records them (and the ingest) in
      // memory_operations, which the analytics' memory efficiency reads. Nothing is invented.
      const facts = passages.flatMap((p) => p.triples.slice(0, 1)).slice(0, RECALLS_PER_CHARACTER);
      for (const [subject, predicate] of facts) {
        await data.memory.retrieve({ character, query: `What ${predicate} ${subject}?`, topK: 5 });
        recalled++;
      }
    }
    phase.tick(passages.length);
  }
  const store = data.vectors.store;
  if (store && set.documents.length) {
    const mentorOf = new Map(
      set.characters.flatMap((c) => c.categories.map((cat) => [cat, c.name] as const)),
    );
    await store.upsert(
      'document_vectors',
      set.documents.map((d) => ({
        text: `${d.title}\n${d.text}`,
        payload: {
          document_id: d.id,
          document_type: d.category,
          processed_by: mentorOf.get(d.category) ?? set.characters[0]!.name,
          extraction_quality: 0.9,
        },
      })),
    );
  }
  phase.tick(set.documents.length);
  phase.done(`${inserted} new passages, ${recalled} recalls, ${set.documents.length} documents`);
}

/**
 * Live sessions through the data layer's flows, the way the app drives them, so the caches and
 * the session backup have real traffic: each learner of a class starts a session with the
 * character (`sessionStart` preloads their quests into `quest_data`), opens their current quest
 * (a `quest_data` read: a hit), asks the class's questions in rounds (`characterInteraction`: a
 * question asked before within 300 s is answered from `character_responses`), then reviews what
 * the character remembers about the class's questions after the lesson (the interaction flow's
 * recall: the first learner's review computes it, the others' hit the hot memories) and ends the
 * session (`sessionEnd`: a `session_summaries` row). Idempotent: every interaction carries an idempotency key (a rerun replays it, writing
 * nothing) and a summary is written once per session key.
 */
async function seedTraffic(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  const phase = options.progress.phase('live sessions', set.trafficInteractions);
  // After the imports' embeddings: the relay's memory writes would otherwise drop hot memories meanwhile.
  await data.relay.settle({ timeoutMs: 30 * 60_000 });
  let cached = 0;
  let summaries = 0;
  for (const [c, cls] of set.traffic.entries()) {
    for (const [k, userId] of cls.learners.entries()) {
      const sessionId = `seed-${set.seed}-class-${c}-learner-${k}`;
      const { session } = await data.flows.sessionStart({ userId, character: cls.character, sessionId });
      const questId = session?.currentQuest;
      if (questId)
        await data.cache.policies.quest_data.getOrSet({ questId }, async () => {
          const [quest] = await data.relational.quests.getByIds([questId]);
          if (!quest) throw new Error(`quest ${questId} of a live session is missing`);
          return quest;
        });
      for (let round = 0; round < cls.rounds; round++) {
        const result = await data.flows.characterInteraction({
          userId,
          character: cls.character,
          message: cls.questions[round % cls.questions.length]!,
          sessionId,
          idempotencyKey: `${sessionId}-round-${round}`,
        });
        if (result.cached) cached++;
        phase.tick();
      }
    }
    // After the lesson, each learner reviews what the character remembers about the class's
    // questions (the interaction flow's recall, limit 5): the first review computes it, the
    // others read it from the hot memories (no memory of the character is written meanwhile).
    for (const [k, userId] of cls.learners.entries()) {
      for (const question of cls.questions) await data.vectors.recall(cls.character, question, 5);
      const sessionId = `seed-${set.seed}-class-${c}-learner-${k}`;
      if ((await data.flows.sessionEnd({ userId, sessionId })).summary) summaries++;
    }
  }
  phase.done(
    `${set.traffic.length} classes, ${set.trafficInteractions} interactions (${cached} answered from the response cache), ${summaries} session summaries`,
  );
}

const METRIC_STEP_MS = 600_000;
// 23 h 40 min every 10 minutes: one step of room under a series' 24 h retention (relative to its
// newest sample), so the response times the live sessions record at the present never push the
// grid's oldest point out, wherever in its 10 minutes the run starts.
const METRIC_SAMPLES = 143;
const STREAM_MESSAGES = 20;

async function seedRedis(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  // The last day of response times on a fixed epoch-aligned 10-minute grid. A sample's value
  // comes from its timestamp, and only grid points without a sample are written: a rerun (even
  // one that crossed into the next 10 minutes, or after Ctrl-C) rewrites nothing already there.
  const newest = Math.floor((options.now ?? new Date()).getTime() / METRIC_STEP_MS) * METRIC_STEP_MS;
  const oldest = newest - (METRIC_SAMPLES - 1) * METRIC_STEP_MS;
  const phase = options.progress.phase('redis', set.characters.length * (METRIC_SAMPLES + 2) + 50);
  // Every character's live state in one round trip (the spec's cache_character_states pipeline).
  await data.cache.pipelines.cacheCharacterStates(
    set.characters.map((c) => ({
      name: c.name,
      status: 'active' as const,
      currentContext: `mentoring ${c.categories.join(' and ')}`,
      metrics: { avg_response_ms: c.latency_ms, quality: c.quality },
    })),
  );
  for (const c of set.characters) {
    const present = new Set(
      (await data.cache.metrics.samples('response_time', c.name, { from: oldest, to: newest })).map(
        (s) => s.timestamp,
      ),
    );
    for (let t = newest; t >= oldest; t -= METRIC_STEP_MS) {
      if (present.has(t)) continue;
      const value = new Random(`${set.seed}:response_time:${c.name}:${t}`).logNormal(c.latency_ms, 0.3);
      await data.cache.metrics.record('response_time', c.name, Math.round(value), t);
    }
    await data.cache.streams.ensureGroups(c.name);
    // Recent messages: a stream is topped up to STREAM_MESSAGES, so a rerun adds nothing and an
    // interrupted one is completed.
    for (let k = await data.cache.streams.length(c.name); k < STREAM_MESSAGES; k++) {
      await data.cache.streams.publish(c.name, {
        type: k % 4 === 0 ? 'task' : 'observation',
        payload: { seeded: true, index: k, topic: c.categories[k % c.categories.length]! },
        from: 'orchestrator',
      });
    }
    phase.tick(METRIC_SAMPLES + 2);
  }
  // The most active learners have a live session.
  const active = set.users.slice(0, 50);
  for (const [i, u] of active.entries()) {
    const character = set.characters[i % set.characters.length]!;
    await data.cache.sessions.users.start(u.id, {
      activeCharacter: character.name,
      sessionData: { seeded: true },
    });
    phase.tick();
  }
  // Their quest progress in one round trip (the spec's update_user_progress pipeline); the last
  // quest still in progress becomes the session's current quest.
  const activeIds = new Set(active.map((u) => u.id));
  const progress = set.progress
    .filter((p) => activeIds.has(p.user_id))
    .sort((a, b) => Number(a.completed_at === null) - Number(b.completed_at === null));
  await data.cache.pipelines.updateUserProgress(
    progress.map((p) => ({
      userId: p.user_id,
      questId: p.quest_id,
      progress: Number(p.progress_percentage),
      completed: p.completed_at !== null,
    })),
  );
  phase.done(`${set.characters.length} agent sessions, ${active.length} user sessions, a day of metrics`);
}

/** Counts per store for the closing table (and the idempotency test). */
export async function countStores(data: DataLayer): Promise<SeedSummaryRow[]> {
  const rows: SeedSummaryRow[] = [];
  const pgTables: Array<[string, string]> = [
    ['character agents', 'character_agents'],
    ['users', 'user_profiles'],
    ['quests', 'quest_definitions'],
    ['quest progress', 'user_quest_progress'],
    ['achievements granted', 'user_achievements'],
    ['interactions', 'character_interactions'],
    ['memory passages', 'memory_passages'],
    ['memory entities', 'memory_entities'],
    ['memory triples', 'memory_triples'],
    ['memory operations', 'memory_operations'],
    ['session summaries', 'session_summaries'],
  ];
  for (const [what, table] of pgTables) {
    const { rows: r } = await data.relational.pool.query<{ n: string }>(`select count(*) as n from ${table}`);
    rows.push({ store: 'PostgreSQL', what, count: Number(r[0]!.n) });
  }
  let keys = 0;
  // Cached memory answers (the seed's recalls) and the real-time metrics (one key per metric and
  // minute, so their number depends on the clock) aside: transient, and how many depends on history.
  const transient = [`${data.config.keyPrefix}{cache:memory}`, `${data.config.keyPrefix}rtm:`];
  for await (const found of ourRedisKeys(data))
    keys += found.filter((key) => !transient.some((start) => key.startsWith(start))).length;
  rows.push({ store: 'Redis', what: `keys under ${data.config.keyPrefix}`, count: keys });
  const store = data.vectors.store;
  if (store) {
    for (const name of [
      'character_memories',
      'memory_embeddings',
      'knowledge_graph_vectors',
      'document_vectors',
    ] as const) {
      const { count } = await store.client.count(store.collectionName(name), { exact: true });
      rows.push({ store: 'Qdrant', what: name, count });
    }
  }
  if (data.analytics) {
    const stats = await data.analytics.stats();
    for (const [table, n] of Object.entries(stats.rows))
      rows.push({ store: 'DuckDB', what: table, count: n });
  }
  return rows;
}

/**
 * A checksum of everything seeded in PostgreSQL (every column of every row, in id order): equal
 * after a second run when nothing changed.
 */
export async function postgresChecksum(data: DataLayer): Promise<string> {
  const hash = createHash('sha256');
  // The outbox and the memory operations are logs of what runs did (each run recalls memories).
  for (const table of data.relational.dataTables.filter((t) => t !== 'outbox' && t !== 'memory_operations')) {
    const { rows } = await data.relational.pool.query<{ digest: string | null }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as digest from ${table} t`,
    );
    hash.update(`${table}:${rows[0]!.digest ?? ''};`);
  }
  return hash.digest('hex');
}

/** Runs the seed and returns the per-store counts. */
export async function runSeed(options: SeedRunOptions): Promise<SeedSummary> {
  const started = performance.now();
  // No consolidation while seeding: it would merge the seeded memories the summary counts.
  const data = await createDataLayer({ relayWorker: false, consolidateEvery: 0, ...options.dataLayer });
  try {
    const { marked } = await preflight(data, options);
    if (options.reset) await confirmReset(options);
    // The first write: a database seeded once is development from then on (reset keeps the mark).
    if (!marked) await data.relational.config.set(ENVIRONMENT_KEY, 'development', 0);
    if (options.reset) await reset(data, options);
    const set = buildDataset({
      seed: options.seed,
      size: options.size,
      ...(options.anchor ? { anchor: options.anchor } : {}),
    });
    await seedRelational(data, set, options);
    await seedInteractions(data, set, options);
    // Learning values from the seeded progress (the rule of the flows README), before the relay
    // embeds the interactions: their memories carry them.
    await data.relational.interactions.backfillLearningValues();
    await seedKnowledge(data, set, options);
    await seedTraffic(data, set, options);
    await seedRedis(data, set, options);
    // The outbox applied (embeddings of the imports, effects the memory left), then the analytics.
    const relay = options.progress.phase('outbox', 1);
    // Large sizes embed for minutes: the bound is for a relay that makes no progress at all.
    const left = await data.relay.settle({ timeoutMs: 30 * 60_000 });
    relay.tick();
    relay.done(
      left.parked
        ? `${left.parked} events parked (see relay.retryParked, pnpm db:reconcile)`
        : 'every event applied',
    );
    const analytics = options.progress.phase('analytics', 1);
    const ingested = await data.syncAnalytics();
    analytics.tick();
    analytics.done(`${ingested.reduce((n, r) => n + r.inserted, 0)} new rows in DuckDB`);
    // Stores that lost data or were replaced (a fresh vector directory beside a seeded database:
    // the imports above found every row present and emitted nothing) are filled from PostgreSQL.
    const check = options.progress.phase('reconcile', 1);
    const drift = await data.reconcile({ repair: true });
    if (!drift.ok) await data.relay.settle({ timeoutMs: 30 * 60_000 });
    check.tick();
    check.done(
      drift.ok
        ? 'every store matches PostgreSQL'
        : drift.rows
            .filter((r) => r.missing || r.orphans)
            .map((r) => `${r.aggregate}: ${r.missing} refilled, ${r.orphans} orphans removed`)
            .join('; '),
    );
    await data.relational.pool.query('analyze');
    return { rows: await countStores(data), seconds: (performance.now() - started) / 1000 };
  } finally {
    await data.close();
  }
}
