// createDataLayer: the one entry point other MonsterOS apps use. Reads and validates the
// configuration, builds the four stores, the flows and the outbox relay, and closes everything
// in order (work in flight and relay rounds first). Its parts live in src/data-layer/; its
// public types in data-layer-types.ts.
import { bulkImports } from './bulk/index.js';
import { withHotMemories } from './caching/hot-memories.js';
import { crossCharacterSearch } from './cross-character-search.js';
import { analyticsSync } from './data-layer/analytics-sync.js';
import { consolidationSchedule } from './data-layer/consolidation-schedule.js';
import { flowTimings } from './data-layer/flow-timings.js';
import { metricsText } from './data-layer/metrics-text.js';
import { openStores } from './data-layer/open-stores.js';
import { checkDataLayerOptions } from './data-layer/option-checks.js';
import { recentLookups } from './data-layer/recent-lookups.js';
import { relayHandlers } from './data-layer/relay-handlers.js';
import { responseTimeSamples } from './data-layer/response-time-samples.js';
import { storesHealth } from './data-layer/stores-health.js';
import { startVectorStatsPublisher } from './data-layer/vector-stats-publisher.js';
import { workInFlight } from './data-layer/work-in-flight.js';
import { loadConfig, resolveLocalPaths } from './data-layer-config.js';
import type { DataLayer, DataLayerOptions } from './data-layer-types.js';
import { memoryConsolidationFlow } from './flows/consolidation.js';
import { characterInteractionFlow } from './flows/interaction.js';
import { questProgressFlow } from './flows/quest.js';
import { sessionFlows } from './flows/session.js';
import { createMemory } from './memory/index.js';
import { coalescedCompletion } from './outbox/completion.js';
import { createRelay } from './outbox/relay.js';
import { reconcile } from './reconcile.js';
import { resetStores } from './reset.js';
import { templateResponder } from './responder.js';

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
  checkDataLayerOptions(options);
  const env = options.env ?? process.env;
  const config = resolveLocalPaths(loadConfig(env, options.config ?? {}), env);
  const { relational, cache, metrics, vectors: port, analytics } = await openStores(config, options);
  // Recall results cached as hot memories, invalidated by every memory write through the port.
  const vectors = options.hotMemories === false ? port : withHotMemories(port, cache);

  const timings = flowTimings(metrics);
  const lookups = recentLookups(relational);
  const memory = vectors.store ? createMemory({ relational, vectors: vectors.store, cache }) : null;
  const bulk = bulkImports({ relational, kick: () => relay.kick() });
  const publisher = startVectorStatsPublisher(vectors.store, cache, metrics.enabled);

  // Bound below, once the flows exist; the relay's rounds start its checks.
  let consolidation: ReturnType<typeof consolidationSchedule> = null;
  const relay = createRelay({
    ...options.relay,
    outbox: relational.outbox,
    handlers: relayHandlers({ relational, cache, vectors }),
    observer: {
      round: (ms, ok) => {
        if (metrics.enabled) metrics.relayRound(ms, ok);
        consolidation?.afterRound();
      },
      event: (eventType, outcome, ms) => {
        if (metrics.enabled) metrics.relayEvent(eventType, outcome, ms);
      },
    },
  });
  if (options.relayWorker !== false) relay.start();

  const work = workInFlight(metrics);
  const { track, trackMemory } = work;
  const common = {
    relational,
    cache,
    vectors,
    recorder: timings.recorder,
    sideEffectGraceMs: options.sideEffectGraceMs ?? 5_000,
    kick: () => relay.kick(),
    completeEvents: coalescedCompletion((ids) => relational.outbox.complete(ids)),
  };
  const sessions = sessionFlows({
    relational,
    cache,
    recorder: timings.recorder,
    preloadQuests: options.preloadQuests ?? 5,
  });
  const syncAnalytics = analyticsSync({ relational, cache, analytics });
  const metricSamples = responseTimeSamples(cache);
  const memoryConsolidation = trackMemory(
    'flows.memoryConsolidation',
    'consolidate',
    memoryConsolidationFlow({ ...common, analytics }),
  );
  consolidation = consolidationSchedule({
    relational,
    consolidate: (character) => memoryConsolidation({ character }),
    every: options.consolidateEvery ?? 500,
    checkEveryMs: options.consolidationCheckMs ?? 30_000,
    timer: options.relayWorker !== false,
  });

  return {
    config,
    relational,
    cache,
    vectors,
    analytics,
    flows: {
      characterInteraction: track(
        'flows.characterInteraction',
        characterInteractionFlow({
          ...common,
          responder: options.responder ?? templateResponder,
          characterByName: lookups.characterByName,
          userExists: lookups.userExists,
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
      crossCharacterSearch({ vectors: vectors.store, analytics }),
    ),
    relay,
    metrics: (metricsOptions = {}) => metricsText(cache.realtime, metricsOptions),
    monitorStores: () => ({
      relational,
      cache,
      realtime: cache.realtime,
      analytics,
      ...(vectors.store ? { vectors: vectors.store } : {}),
      relay,
      timings: timings.kept,
    }),
    syncAnalytics: track('syncAnalytics', syncAnalytics),
    reconcile: track('reconcile', (reconcileOptions: { repair?: boolean } = {}) =>
      reconcile(
        {
          relational,
          vectors,
          analytics,
          syncAnalytics,
          memoryGraph: memory !== null,
          kick: () => relay.kick(),
          metricSamples,
        },
        reconcileOptions,
      ),
    ),
    recentTimings: timings.recent,
    health: () => storesHealth({ relational, cache, vectors, analytics }),
    reset: track('reset', async () => {
      // No relay round may apply an old event into a store already emptied.
      const wasRunning = relay.stats().running;
      await relay.stop();
      try {
        return await resetStores({ relational, cache, vectors, analytics });
      } finally {
        lookups.clear();
        memory?.forgetGraphs();
        if (wasRunning && !work.closing) relay.start();
      }
    }),
    async close() {
      if (work.closing) return;
      const settled = work.close(); // refuses new work from here on
      consolidation?.stop();
      await settled;
      await relay.stop();
      // The vector figures as the app ends (the stores are still open; failures are ignored).
      await publisher?.stop();
      // Every store is closed even when one fails to; the first failure is thrown after.
      const closed = await Promise.allSettled([
        (async () => analytics?.close())(),
        vectors.close(),
        cache.close(),
        relational.close(),
      ]);
      const failed = closed.find((c) => c.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
