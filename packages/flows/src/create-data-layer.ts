// createDataLayer: the one entry point other MonsterOS apps use. Reads and validates the
// configuration, builds the four stores, the flows and the outbox relay, and closes everything
// in order (work in flight and relay rounds first).
import { type Analytics, createAnalytics, type IngestResult, type MetricSeries } from '@monsteros/analytics';
import { type Cache, createCache } from '@monsteros/cache';
import { createRelational, type Relational } from '@monsteros/relational';
import type { CharacterAgent } from '@monsteros/schema';
import { z } from 'zod';
import { checkInput } from './boundary.js';
import { type BulkImports, bulkImports, bulkOutboxHandlers } from './bulk/index.js';
import { withHotMemories } from './caching/hot-memories.js';
import { type ConsolidationTrigger, consolidationTrigger } from './consolidation-trigger.js';
import {
  type CrossCharacterSearchInput,
  type CrossCharacterSearchResult,
  crossCharacterSearch,
} from './cross-character-search.js';
import {
  type DataLayerConfig,
  DEFAULT_POOL_SIZE,
  loadConfig,
  resolveLocalPaths,
} from './data-layer-config.js';
import { FlowError } from './errors.js';
import {
  type ConsolidationInput,
  type ConsolidationResult,
  memoryConsolidationFlow,
} from './flows/consolidation.js';
import {
  characterInteractionFlow,
  type InteractionInput,
  type InteractionResult,
} from './flows/interaction.js';
import { type QuestProgressInput, type QuestProgressResult, questProgressFlow } from './flows/quest.js';
import {
  type SessionEndInput,
  type SessionEndResult,
  type SessionStartInput,
  type SessionStartResult,
  sessionFlows,
} from './flows/session.js';
import { createMemory, type Memory, memoryOutboxHandlers } from './memory/index.js';
import { instrumentPostgresPool } from './metrics/instrument-postgres.js';
import { instrumentRedis } from './metrics/instrument-redis.js';
import { prometheusText } from './metrics/prometheus.js';
import { LOCAL_VECTORS_DOC, type PublishedVectorsStats } from './metrics/published-vectors.js';
import { createMetricsRecorder } from './metrics/recorder.js';
import { instrumentAnalytics, instrumentVectors } from './metrics/store-calls.js';
import { coalescedCompletion } from './outbox/completion.js';
import { flowHandlers } from './outbox/events.js';
import { createRelay, type Relay, type RelayOptions, relaySettings } from './outbox/relay.js';
import type { StepTiming } from './pipeline.js';
import type { VectorsPort } from './ports.js';
import { type MetricSampleToRecord, type ReconcileReport, reconcile } from './reconcile.js';
import { type ResetResult, resetStores } from './reset.js';
import { type Responder, templateResponder } from './responder.js';
import { createVectorsPort } from './vectors-port.js';

/** One flow run's step timings, kept for the monitor. */
export interface FlowTimingRecord {
  flow: string;
  at: Date;
  timings: StepTiming[];
}

/** What a monitor reads of a data layer (`data.monitorStores()`; see `@monsteros/monitor`). */
export interface MonitoredDataLayer {
  relational: Relational;
  cache: Cache;
  /** The real-time metrics every process records in Redis (`cache.realtime`). */
  realtime: Cache['realtime'];
  /** DuckDB; null in a process opened with `analytics: false`. */
  analytics: Analytics | null;
  /** The vector store; absent when the data layer has none underneath its port. */
  vectors?: NonNullable<VectorsPort['store']>;
  relay: Relay;
  /** The latest flow runs' step timings (newest last). */
  timings: () => FlowTimingRecord[];
}

export interface DataLayerOptions {
  /** Overrides of the environment configuration (see loadConfig). */
  config?: Partial<DataLayerConfig>;
  env?: NodeJS.ProcessEnv;
  /** The character's voice; default a deterministic template. A real app injects its LLM. */
  responder?: Responder;
  /** Use this vector store port instead of building one from the configuration. */
  vectors?: VectorsPort;
  /** Start the relay's worker loop (default true); it is always kicked after commits. */
  relayWorker?: boolean;
  relay?: Omit<RelayOptions, 'outbox' | 'handlers'>;
  /** Longest message accepted (characters), 1 to 1,000,000. Default 4,000. */
  maxMessageLength?: number;
  /** Memories given to the responder, 1 to 100. Default 5. */
  memoriesPerResponse?: number;
  /**
   * Answer a question pattern the character answered within `character_responses`' TTL (300 s)
   * from Redis, without running the responder (the result says `cached`). Default true; pass
   * false for a responder whose answers are personal (they would be shared across users).
   */
  responseCache?: boolean;
  /**
   * Cache the interaction flow's recall results (`memory_search_results`, tag `recall:<character>`),
   * invalidated by every write of that character's memories. Default true.
   */
  hotMemories?: boolean;
  /**
   * Consolidation triggered by the relay: a character is consolidated once it has this many new
   * memories (interactions) since its last consolidation, checked after relay rounds at most every
   * `consolidationCheckMs`. 0 turns it off. Default 500 (the test fixtures pass 0).
   */
  consolidateEvery?: number;
  /** Least time between two checks of the consolidation trigger, 100 to 3,600,000 ms. Default 30,000. */
  consolidationCheckMs?: number;
  /** Most active quests whose definitions `sessionStart` preloads into `quest_data`, 0 to 100. Default 5. */
  preloadQuests?: number;
  /**
   * How long the relay leaves a flow's side effects to the flow itself before applying them
   * (when the flow crashed or its store was down), 0 to 3,600,000 ms. Default 5,000 ms.
   */
  sideEffectGraceMs?: number;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
  /** Open DuckDB (default true). Processes that are not the DuckDB file's owner pass false. */
  analytics?: boolean;
  /**
   * Record flow runs and steps, store calls, relay rounds and memory operations into the
   * real-time metrics in Redis (per-minute aggregates every process shares; see the README).
   * @default true
   */
  metrics?: boolean;
}

export interface DataLayerHealth {
  ok: boolean;
  stores: Record<
    'postgres' | 'redis' | 'qdrant' | 'duckdb',
    { ok: boolean; latencyMs: number; error?: string }
  >;
}

export interface DataLayer {
  readonly config: DataLayerConfig;
  relational: Relational;
  cache: Cache;
  vectors: VectorsPort;
  /** null when opened with `analytics: false`. */
  analytics: Analytics | null;
  flows: {
    characterInteraction(input: InteractionInput): Promise<InteractionResult>;
    questProgress(input: QuestProgressInput): Promise<QuestProgressResult>;
    memoryConsolidation(input?: ConsolidationInput): Promise<ConsolidationResult>;
    /** Starts a user's session and preloads their active quests' definitions (bounded by `preloadQuests`). */
    sessionStart(input: SessionStartInput): Promise<SessionStartResult>;
    /** Backs the user's session up to PostgreSQL (`session_summaries`), then ends it in Redis. */
    sessionEnd(input: SessionEndInput): Promise<SessionEndResult>;
  };
  /**
   * Bulk imports (history, seeding): rows written idempotently by the caller's ids, with the
   * outbox events of their embeddings in the same transaction; `relay.settle()` waits for them.
   */
  bulk: BulkImports;
  /** The HippoRAG memory of the characters (null without a vector store underneath the port). */
  memory: Memory | null;
  /**
   * Memories relevant to `query` across several characters (the vectors' `crossCharacterSearch`),
   * each character's weight adapted to its interactions in the last `usageHours` as the analytics
   * count them (as of the last `syncAnalytics()`; not adapted in a process opened with `analytics: false`).
   * @example
   * const { hits, usage } = await data.crossCharacterSearch('recursion', { characters: ['sage', 'spark'] });
   */
  crossCharacterSearch(
    query: string,
    options: CrossCharacterSearchInput,
  ): Promise<CrossCharacterSearchResult>;
  relay: Relay;
  /**
   * The metrics in Prometheus text format (counters and histograms with buckets): this
   * process's own (`scope: 'process'`, the default, for a scrape of this process) or every
   * process's totals from Redis (`scope: 'shared'`, what `pnpm db:metrics` serves).
   * @example
   * const text = await data.metrics(); // # TYPE monsteros_flow_run_duration_seconds histogram …
   */
  metrics(options?: { scope?: 'process' | 'shared' }): Promise<string>;
  /**
   * What a performance monitor reads of this data layer: its stores, the real-time metrics, the
   * relay and the recent flow timings (the `MonitorStores` port of `@monsteros/monitor`).
   * @example
   * const monitor = createMonitor({ ...data.monitorStores(), thresholds: { cacheHitRateMin: 0.9 } });
   */
  monitorStores(): MonitoredDataLayer;
  /** Ingests what changed in PostgreSQL and the Redis metrics into DuckDB. */
  syncAnalytics(): Promise<IngestResult[]>;
  /**
   * Compares Qdrant and DuckDB with PostgreSQL by ids; with `repair`, re-emits what is missing
   * through the outbox and removes orphans.
   */
  reconcile(options?: { repair?: boolean }): Promise<ReconcileReport>;
  /** The latest `limit` (0 to 1,000; default 100) flow runs' step timings (newest last). */
  recentTimings(limit?: number): FlowTimingRecord[];
  health(): Promise<DataLayerHealth>;
  /**
   * Empties every store of MonsterOS data, each through its own package: our PostgreSQL tables
   * (`system_config` kept), our Redis keys under the key prefix, our vector collections, the
   * DuckDB tables. The relay worker pauses meanwhile. For development: never on live data.
   */
  reset(): Promise<ResetResult>;
  /**
   * Waits for the work in flight (flows, bulk imports, memory ingest and retrieve, reconcile,
   * syncAnalytics, reset) and the relay's round, then closes every store, each even when another
   * fails to close (the first failure is thrown after). Work started after is an UNAVAILABLE FlowError.
   */
  close(): Promise<void>;
}

const TIMINGS_KEPT = 1_000;

const whole = (min: number, max: number) =>
  z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be from ${min} to ${max}`)
    .max(max, `must be from ${min} to ${max}`)
    .optional();
const OptionsSchema = z.object({
  options: z.object({
    maxMessageLength: whole(1, 1_000_000),
    memoriesPerResponse: whole(1, 100),
    sideEffectGraceMs: whole(0, 3_600_000),
    responseCache: z.boolean({ message: 'must be true or false' }).optional(),
    hotMemories: z.boolean({ message: 'must be true or false' }).optional(),
    preloadQuests: whole(0, 100),
    consolidateEvery: whole(0, 10_000_000),
    consolidationCheckMs: whole(100, 3_600_000),
  }),
});
const TimingsLimit = z.object({ limit: whole(0, TIMINGS_KEPT) });
const MetricsOptions = z.object(
  { scope: z.enum(['process', 'shared'], { message: "must be 'process' or 'shared'" }).optional() },
  { message: 'must be an object' },
);
const CHARACTER_TTL_MS = 10_000;

/**
 * The relay's handlers, each first provisioning the vector collections when the data layer started
 * with Qdrant unreachable (the memory's handlers use the store directly, not the port).
 */
function provisionedHandlers<H extends Record<string, (event: never) => Promise<unknown>>>(
  vectors: VectorsPort,
  handlers: H,
): H {
  const ready = vectors.ready;
  if (!ready) return handlers;
  const out: Record<string, (event: never) => Promise<unknown>> = {};
  for (const [type, handle] of Object.entries(handlers)) {
    out[type] = async (event) => {
      await ready.call(vectors);
      return handle(event);
    };
  }
  return out as H;
}

/**
 * Builds the data layer from the environment (DATABASE_URL, REDIS_URL, QDRANT_URL, DUCKDB_PATH,
 * EMBEDDINGS_URL, MONSTEROS_KEY_PREFIX) and `options`.
 * @example
 * const data = await createDataLayer();
 * const { response } = await data.flows.characterInteraction({ userId, character: 'sage', message: 'Hi!' });
 * await data.close();
 */
export async function createDataLayer(options: DataLayerOptions = {}): Promise<DataLayer> {
  // Every option checked before a connection is opened.
  checkInput(OptionsSchema, { options }, 'options');
  relaySettings(options.relay ?? {});
  const env = options.env ?? process.env;
  const config = resolveLocalPaths(loadConfig(env, options.config ?? {}), env);
  const relational = createRelational({
    databaseUrl: config.databaseUrl,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
  });
  const cache = createCache({ redis: config.redisUrl, prefix: config.keyPrefix });
  let vectors: VectorsPort | undefined;
  let analytics: Analytics | null = null;
  const metrics = createMetricsRecorder(options.metrics === false ? null : cache.realtime);
  // Every statement, connection wait and hold of the pool becomes a `postgresql` store call, every
  // command a `redis` one (DuckDB queries and vector calls below are wrapped the same way).
  instrumentPostgresPool(relational.pool, metrics);
  instrumentRedis(cache.redis, metrics, config.keyPrefix);
  try {
    vectors =
      options.vectors ??
      (await createVectorsPort(
        config,
        metrics.enabled ? { instrument: (s) => instrumentVectors(s, metrics) } : {},
      ));
    if (options.analytics !== false) {
      const opened = await createAnalytics({ path: config.duckdbPath });
      analytics = metrics.enabled ? instrumentAnalytics(opened, metrics) : opened;
    }
  } catch (error) {
    await vectors?.close().catch(() => {});
    await cache.close().catch(() => {});
    await relational.close().catch(() => {});
    throw error;
  }
  // Recall results cached as hot memories, invalidated by every memory write through the port.
  const v = options.hotMemories === false ? vectors : withHotMemories(vectors, cache);

  const timings: FlowTimingRecord[] = [];
  const recorder = (flow: string, steps: readonly StepTiming[], totalMs = 0) => {
    metrics.flowRun(flow, steps, totalMs);
    timings.push({ flow, at: new Date(), timings: [...steps] });
    // Trimmed in chunks (amortized O(1) per run); readers take the newest TIMINGS_KEPT.
    if (timings.length >= 2 * TIMINGS_KEPT) timings.splice(0, timings.length - TIMINGS_KEPT);
  };

  const characters = new Map<string, { row: CharacterAgent | null; at: number }>();
  const characterByName = async (name: string) => {
    const hit = characters.get(name);
    if (hit && Date.now() - hit.at < CHARACTER_TTL_MS) return hit.row;
    const row = await relational.characters.getByName(name);
    characters.set(name, { row, at: Date.now() });
    if (characters.size > 10_000) characters.delete(characters.keys().next().value!);
    return row;
  };

  // Users seen recently, so an unknown user fails before any store is read or filled (a deleted
  // one still fails at the interaction's foreign key).
  const users = new Map<string, number>();
  const userExists = async (userId: string) => {
    const seen = users.get(userId);
    if (seen !== undefined && Date.now() - seen < CHARACTER_TTL_MS) return true;
    const found = (await relational.users.getById(userId)) !== null;
    if (found) users.set(userId, Date.now());
    if (users.size > 100_000) users.delete(users.keys().next().value!);
    return found;
  };

  const memory = v.store ? createMemory({ relational, vectors: v.store, cache }) : null;
  const bulk = bulkImports({ relational, kick: () => relay.kick() });
  const handlers = provisionedHandlers(v, {
    ...flowHandlers({ cache, vectors: v }),
    ...(v.store ? memoryOutboxHandlers({ relational, vectors: v.store, cache }) : {}),
    ...bulkOutboxHandlers({ relational, vectors: v }),
  });
  // On the embedded engine, its figures are only readable here (the app holds its directory):
  // published to Redis every 15 s for the monitor and `pnpm db:report` in other processes.
  const publishVectorStats = async () => {
    const stats = await v.store?.stats();
    if (!stats?.local) return;
    const doc: PublishedVectorsStats = {
      collections: stats.collections.map((c) => ({
        name: c.name,
        points: c.points,
        indexedVectors: c.indexedVectors,
        status: c.status,
        optimizerStatus: c.optimizerStatus,
        segments: c.segments,
      })),
      local: stats.local,
    };
    await cache.realtime.publish(LOCAL_VECTORS_DOC, doc, 60_000);
  };
  const publisher =
    metrics.enabled && v.store
      ? setInterval(() => void publishVectorStats().catch(() => {}), 15_000).unref()
      : null;
  if (publisher) void publishVectorStats().catch(() => {});

  // Bound below, once the flows exist; the relay's rounds start it.
  let trigger: ConsolidationTrigger | null = null;
  const relay = createRelay({
    ...options.relay,
    outbox: relational.outbox,
    handlers,
    observer: {
      round: (ms, ok) => {
        if (metrics.enabled) metrics.relayRound(ms, ok);
        trigger?.afterRound();
      },
      event: (eventType, outcome, ms) => {
        if (metrics.enabled) metrics.relayEvent(eventType, outcome, ms);
      },
    },
  });
  if (options.relayWorker !== false) relay.start();

  // Work in flight (flows, imports, memory, reconcile, sync, reset), so close() can wait for it.
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  const track =
    <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (closing) return Promise.reject(new FlowError('UNAVAILABLE', `${what}: the data layer is closing`));
      const p = fn(...args);
      inFlight.add(p);
      const done = () => inFlight.delete(p);
      p.then(done, done);
      return p;
    };
  /** `track`, and the call's time recorded as a memory operation. */
  const trackMemory = <A extends unknown[], R>(
    what: string,
    operation: string,
    fn: (...args: A) => Promise<R>,
  ) =>
    track(what, async (...args: A): Promise<R> => {
      const started = performance.now();
      let ok = false;
      try {
        const out = await fn(...args);
        ok = true;
        return out;
      } finally {
        metrics.memoryOp(operation, performance.now() - started, ok);
      }
    });

  const sideEffectGraceMs = options.sideEffectGraceMs ?? 5_000;
  const common = {
    relational,
    cache,
    vectors: v,
    recorder,
    sideEffectGraceMs,
    kick: () => relay.kick(),
    completeEvents: coalescedCompletion((ids) => relational.outbox.complete(ids)),
  };
  const sessions = sessionFlows({ relational, cache, recorder, preloadQuests: options.preloadQuests ?? 5 });
  const postgresSource = { copyTo: (statement: string) => relational.copyOut(statement) };
  const metricsSource = {
    async read(since: Date): Promise<MetricSeries[]> {
      const names = (await relational.characters.list()).map((c) => c.name);
      const out: MetricSeries[] = [];
      for (const agent of names) {
        const samples = await cache.metrics.samples('response_time', agent, { from: since });
        if (samples.length) {
          out.push({
            metricType: 'response_time',
            agentName: agent,
            samples: samples.map((s) => ({ timestamp: s.timestamp, value: s.value })),
          });
        }
      }
      return out;
    },
  };

  // Reconcile's view of the response_time samples (one per interaction, keyed by its id).
  const metricSamples = {
    async ids(character: string, from: Date) {
      // RedisTimeSeries keys samples by timestamp alone: no ids to compare.
      if ((await cache.metrics.backend()) === 'timeseries') return null;
      const samples = await cache.metrics.samples('response_time', character, { from });
      return new Set(samples.flatMap((s) => (s.id === undefined ? [] : [s.id])));
    },
    async record(s: MetricSampleToRecord) {
      await cache.metrics.record('response_time', s.character, s.responseTimeMs, new Date(s.createdAt), {
        id: s.interactionId,
      });
    },
  };

  const syncAnalytics = async (): Promise<IngestResult[]> => {
    if (!analytics) return [];
    const results = await analytics.ingest.postgres(postgresSource);
    results.push(await analytics.ingest.metrics(metricsSource));
    return results;
  };

  const memoryConsolidation = trackMemory(
    'flows.memoryConsolidation',
    'consolidate',
    memoryConsolidationFlow({ ...common, analytics }),
  );
  const consolidateEvery = options.consolidateEvery ?? 500;
  if (consolidateEvery > 0) {
    trigger = consolidationTrigger({
      dueForConsolidation: (min) => relational.operations.dueForConsolidation(min),
      consolidate: (character) => memoryConsolidation({ character }),
      everyMemories: consolidateEvery,
      checkEveryMs: options.consolidationCheckMs ?? 30_000,
    });
  }
  // An idle relay has no rounds (flows apply their own effects): the worker's process also
  // checks on a timer, at the same bounded rate.
  const triggerTimer =
    trigger && options.relayWorker !== false
      ? setInterval(() => trigger?.afterRound(), options.consolidationCheckMs ?? 30_000)
      : null;
  triggerTimer?.unref();

  return {
    config,
    relational,
    cache,
    vectors: v,
    analytics,
    flows: {
      characterInteraction: track(
        'flows.characterInteraction',
        characterInteractionFlow({
          ...common,
          responder: options.responder ?? templateResponder,
          characterByName,
          userExists,
          maxMessageLength: options.maxMessageLength ?? 4_000,
          memoriesPerResponse: options.memoriesPerResponse ?? 5,
          responseCache: options.responseCache ?? true,
        }),
      ),
      questProgress: track('flows.questProgress', questProgressFlow({ ...common, analytics })),
      memoryConsolidation,
      sessionStart: track('flows.sessionStart', sessions.sessionStart),
      sessionEnd: track('flows.sessionEnd', sessions.sessionEnd),
    },
    bulk: {
      interactions: track('bulk.interactions', bulk.interactions),
      achievementGrants: track('bulk.achievementGrants', bulk.achievementGrants),
    },
    memory: memory && {
      ...memory,
      ingest: trackMemory('memory.ingest', 'ingest', memory.ingest),
      retrieve: trackMemory('memory.retrieve', 'retrieve', memory.retrieve),
    },
    crossCharacterSearch: track(
      'crossCharacterSearch',
      crossCharacterSearch({ vectors: v.store, analytics }),
    ),
    relay,
    async metrics(metricsOptions = {}) {
      const scope = checkInput(MetricsOptions, metricsOptions, 'options').scope ?? 'process';
      if (scope === 'process') return prometheusText((metric) => cache.realtime.local(metric));
      await cache.realtime.flush();
      return prometheusText((metric) => cache.realtime.totals(metric));
    },
    monitorStores: () => ({
      relational,
      cache,
      realtime: cache.realtime,
      analytics,
      ...(v.store ? { vectors: v.store } : {}),
      relay,
      timings: () => timings.slice(-TIMINGS_KEPT),
    }),
    syncAnalytics: track('syncAnalytics', syncAnalytics),
    reconcile: track('reconcile', (reconcileOptions: { repair?: boolean } = {}) =>
      reconcile(
        {
          relational,
          vectors: v,
          analytics,
          syncAnalytics,
          memoryGraph: memory !== null,
          kick: () => relay.kick(),
          metricSamples,
        },
        reconcileOptions,
      ),
    ),
    recentTimings(limit = 100) {
      checkInput(TimingsLimit, { limit }, 'limit');
      return limit === 0 ? [] : timings.slice(-limit);
    },
    async health() {
      const [postgres, redis, qdrant, duckdb] = await Promise.all([
        relational.health(),
        cache
          .health()
          .then((h) => ({ ok: h.ok, latencyMs: h.roundTripMs ?? 0, ...(h.error ? { error: h.error } : {}) })),
        v.health(),
        analytics ? analytics.health() : Promise.resolve({ ok: true, latencyMs: 0 }),
      ]);
      const stores = { postgres, redis, qdrant, duckdb };
      return { ok: Object.values(stores).every((s) => s.ok), stores };
    },
    reset: track('reset', async () => {
      // No relay round may apply an old event into a store already emptied.
      const wasRunning = relay.stats().running;
      await relay.stop();
      try {
        return await resetStores({ relational, cache, vectors: v, analytics });
      } finally {
        characters.clear();
        users.clear();
        memory?.forgetGraphs();
        if (wasRunning && !closing) relay.start();
      }
    }),
    async close() {
      if (closing) return;
      closing = true;
      if (publisher) clearInterval(publisher);
      if (triggerTimer) clearInterval(triggerTimer);
      await Promise.allSettled([...inFlight]);
      await relay.stop();
      // Every store is closed even when one fails to; the first failure is thrown after.
      const closed = await Promise.allSettled([
        (async () => analytics?.close())(),
        v.close(),
        cache.close(),
        relational.close(),
      ]);
      const failed = closed.find((c) => c.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
