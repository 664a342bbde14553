// The public types of `createDataLayer`: its options, what it returns, and what a monitor reads of it.
import type { Analytics, IngestResult } from '@monsteros/analytics';
import type { Cache } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';
import type { BulkImports } from './bulk/index.js';
import type { CrossCharacterSearchInput, CrossCharacterSearchResult } from './cross-character-search.js';
import type { DataLayerConfig } from './data-layer-config.js';
import type { ConsolidationInput, ConsolidationResult } from './flows/consolidation.js';
import type { InteractionInput, InteractionResult } from './flows/interaction.js';
import type { QuestProgressInput, QuestProgressResult } from './flows/quest.js';
import type {
  SessionEndInput,
  SessionEndResult,
  SessionStartInput,
  SessionStartResult,
} from './flows/session.js';
import type { Memory } from './memory/index.js';
import type { Relay, RelayOptions } from './outbox/relay.js';
import type { StepTiming } from './pipeline.js';
import type { VectorsPort } from './ports.js';
import type { ReconcileReport } from './reconcile.js';
import type { ResetResult } from './reset.js';
import type { Responder } from './responder.js';

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
