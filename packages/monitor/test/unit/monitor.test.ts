// The bottleneck rules no shared server can trigger (pg_stat_statements, a failed Qdrant
// optimizer), checked on a snapshot that reports them. The rules on real stores: ../monitor.test.ts.
import { describe, expect, it } from 'vitest';
import { findBottlenecks, type MonitorSnapshot, parseThresholds } from '../../src/index.js';

describe('monitor.bottlenecks', () => {
  it('applies the slow statement and failed collection rules to what the stores report', () => {
    // pg_stat_statements needs shared_preload_libraries (a server restart) and a red collection
    // needs a failed optimizer: neither can be made on the shared servers, so these two rules
    // are checked on a snapshot that reports them.
    const snapshot: MonitorSnapshot = {
      takenAt: new Date().toISOString(),
      collectMs: 1,
      postgres: { status: 'unavailable', error: 'not read' },
      redis: { status: 'unavailable', error: 'not read' },
      duckdb: { status: 'unavailable', error: 'not read' },
      outbox: { status: 'unavailable', error: 'not read' },
      flows: { status: 'not-configured', reason: 'none' },
      shared: { status: 'not-configured', reason: 'none' },
      qdrant: {
        status: 'ok',
        collections: [
          {
            name: 'character_memories',
            points: 10,
            indexedVectors: 0,
            status: 'red',
            optimizerStatus: 'error: disk full',
            segments: 2,
          },
        ],
        search: [],
        avgSearchMs: null,
      },
    };
    const qdrant = findBottlenecks(snapshot, parseThresholds());
    expect(qdrant).toEqual([
      expect.objectContaining({
        rule: 'qdrant.collectionFailed',
        severity: 'critical',
        subject: 'character_memories',
        threshold: null,
      }),
    ]);
    const pg = {
      status: 'ok' as const,
      latency: { count: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1, meanMs: 1 },
      database: {
        sizeBytes: 1,
        settings: { sharedBuffers: '128MB', effectiveCacheSize: '4GB', workMem: '4MB', maxConnections: 100 },
      },
      connections: {
        pool: { total: 1, idle: 1, waiting: 0, active: 0 },
        server: {},
        serverTotal: 1,
        max: 100,
        usage: 0.01,
      },
      cacheHitRatio: 0.99,
      tuning: {
        memoryBytes: 2 ** 34,
        cpus: 4,
        hostSource: 'test',
        reservedConnections: 3,
        sharedBuffersBytes: 2 ** 27,
        effectiveCacheSizeBytes: 2 ** 32,
        workMemBytes: 2 ** 22,
        maintenanceWorkMemBytes: 2 ** 26,
        poolSize: 10,
      },
      slowStatements: {
        available: true as const,
        rows: [
          {
            query: 'select * from character_interactions where message like $1',
            calls: 40,
            meanMs: 250,
            totalMs: 10_000,
          },
          { query: 'select 1', calls: 900, meanMs: 0.01, totalMs: 9 },
        ],
      },
      lockWaits: [],
      tables: [],
    };
    const slow = findBottlenecks(
      { ...snapshot, qdrant: { status: 'not-configured', reason: '' }, postgres: pg },
      parseThresholds(),
    );
    expect(slow).toEqual([
      expect.objectContaining({
        rule: 'postgres.slowStatement',
        measured: 250,
        threshold: 100,
        severity: 'critical',
        subject: 'select * from character_interactions where message like $1',
      }),
    ]);
  });
});
