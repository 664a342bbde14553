// Tuning advice with numbers: the rules as a pure function of known inputs (PGTune's published
// outputs for the same inputs). Against the real servers: ../monitor-tuning.test.ts.
import { describe, expect, it } from 'vitest';
import { computeTuning, type PostgresTuningInput, pgSize } from '../../src/tuning.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const postgres = (over: Partial<PostgresTuningInput> = {}): PostgresTuningInput => ({
  memoryBytes: 16 * GiB,
  hostSource: 'test',
  cpus: 4,
  maxConnections: 100,
  reservedConnections: 3,
  sharedBuffersBytes: 128 * MiB,
  effectiveCacheSizeBytes: 4 * GiB,
  workMemBytes: 4 * MiB,
  maintenanceWorkMemBytes: 64 * MiB,
  pool: { size: 10, measured: null },
  ...over,
});

const by = (advice: ReturnType<typeof computeTuning>, store: string, setting: string) =>
  advice.find((a) => a.store === store && a.setting === setting)!;

describe('tuning rules (pure)', () => {
  it('gives PGTune web-application values from RAM, CPUs and max_connections, each with its command', () => {
    const advice = computeTuning({ postgres: postgres() });
    expect(by(advice, 'postgres', 'shared_buffers')).toMatchObject({
      current: '128MB',
      recommended: '4GB',
      change: true,
      command: "ALTER SYSTEM SET shared_buffers = '4GB'; -- then restart PostgreSQL",
    });
    expect(by(advice, 'postgres', 'effective_cache_size')).toMatchObject({
      recommended: '12GB',
      command: "ALTER SYSTEM SET effective_cache_size = '12GB'; SELECT pg_reload_conf();",
    });
    expect(by(advice, 'postgres', 'maintenance_work_mem')).toMatchObject({ recommended: '1GB' });
    // (16 GiB − 4 GiB) / (100 × 3) / ⌈4 / 2⌉ = 20971.52 kB: PGTune's 20971kB for the same inputs.
    expect(by(advice, 'postgres', 'work_mem')).toMatchObject({
      recommended: '20971kB',
      command: "ALTER SYSTEM SET work_mem = '20971kB'; SELECT pg_reload_conf();",
    });
    // PGTune, web, 4 GB, 2 CPUs, 200 connections: 1GB, 3GB, 256MB, 5242kB.
    const small = computeTuning({
      postgres: postgres({ memoryBytes: 4 * GiB, cpus: 2, maxConnections: 200 }),
    });
    expect(
      ['shared_buffers', 'effective_cache_size', 'maintenance_work_mem', 'work_mem'].map(
        (s) => by(small, 'postgres', s).recommended,
      ),
    ).toEqual(['1GB', '3GB', '256MB', '5242kB']);
    // maintenance_work_mem stops at 2GB; a setting already within half to double is left alone.
    const big = computeTuning({
      postgres: postgres({ memoryBytes: 64 * GiB, sharedBuffersBytes: 12 * GiB }),
    });
    expect(by(big, 'postgres', 'maintenance_work_mem').recommended).toBe('2GB');
    expect(by(big, 'postgres', 'shared_buffers')).toMatchObject({ recommended: '16GB', change: false });
    expect(pgSize(6_170_937)).toBe('6026MB');
  });

  it('sizes the pool from the measured demand (Little), capped at CPUs × 2 + 1 and max_connections', () => {
    const measured = {
      minute: '2026-12-07T03:00:00.000Z',
      heldConcurrency: 3.2,
      waitingConcurrency: 0.8,
      acquires: 5000,
      waitMeanMs: 9.6,
      waitP95Ms: 30,
    };
    const pool = (m: typeof measured | null, size = 10, cpus: number | null = 4) =>
      by(
        computeTuning({ postgres: postgres({ cpus, pool: { size, measured: m } }) }),
        'postgres',
        'pool size',
      );
    // (3.2 + 0.8) × 1.5 = 6.
    expect(pool(measured, 4)).toMatchObject({
      recommended: '6',
      change: true,
      command: 'createDataLayer({ poolSize: 6 })',
    });
    // 18 wanted, 4 × 2 + 1 = 9 is what the server runs best.
    expect(pool({ ...measured, heldConcurrency: 10, waitingConcurrency: 2 }).recommended).toBe('9');
    // Without the CPUs, the budget is max_connections − reserved = 97.
    expect(pool({ ...measured, heldConcurrency: 80, waitingConcurrency: 0 }, 10, null).recommended).toBe(
      '97',
    );
    expect(pool(null)).toMatchObject({ recommended: '10', change: false });
    // Idle pool: at least 2, and no change asked when nothing waits and 10 is within double.
    expect(
      pool({ ...measured, heldConcurrency: 0.01, waitingConcurrency: 0, waitMeanMs: 0 }, 3),
    ).toMatchObject({
      recommended: '2',
      change: false,
    });
  });

  it('sizes Redis maxmemory from keys × sampled value size and picks the policy from the TTL share', () => {
    const redis = {
      usedBytes: 10 * MiB,
      startupBytes: MiB,
      systemMemoryBytes: 16 * GiB,
      maxmemoryBytes: null,
      policy: 'noeviction',
      keys: 100_000,
      sample: { keys: 200, meanBytes: 2000, withTtlShare: 0.95 },
    };
    // (1 MiB + 100,000 × 2,000 B) × 2 = 383.47 MiB → 384mb.
    const advice = computeTuning({ redis });
    expect(by(advice, 'redis', 'maxmemory')).toMatchObject({
      current: '0 (no limit)',
      recommended: '384mb',
      change: true,
      command: 'redis-cli CONFIG SET maxmemory 384mb',
    });
    // 5 % of the keys have no TTL (sessions, progress, streams): never evicted.
    expect(by(advice, 'redis', 'maxmemory-policy')).toMatchObject({
      recommended: 'volatile-lfu',
      command: 'redis-cli CONFIG SET maxmemory-policy volatile-lfu',
    });
    // Every sampled key expires: a pure cache evicts the least frequently used of all keys.
    const cacheOnly = computeTuning({ redis: { ...redis, sample: { ...redis.sample, withTtlShare: 1 } } });
    expect(by(cacheOnly, 'redis', 'maxmemory-policy')).toMatchObject({ recommended: 'allkeys-lfu' });
    // Nothing sampled: the policy that can never evict data written later without a TTL.
    const empty = computeTuning({ redis: { ...redis, keys: 0, sample: null } });
    expect(by(empty, 'redis', 'maxmemory-policy')).toMatchObject({ recommended: 'volatile-lfu' });
    const mixed = computeTuning({
      redis: {
        ...redis,
        keys: 1000,
        maxmemoryBytes: 128 * MiB,
        policy: 'volatile-lfu',
        sample: { ...redis.sample, withTtlShare: 0.5 },
      },
    });
    // Used memory (9 MiB of data) beats the 2 MB estimate; 256 MiB floor; 128 MiB set is within half: no change.
    expect(by(mixed, 'redis', 'maxmemory')).toMatchObject({ recommended: '256mb', change: false });
    expect(by(mixed, 'redis', 'maxmemory-policy')).toMatchObject({
      recommended: 'volatile-lfu',
      change: false,
    });
    // Never more than half the machine.
    const huge = computeTuning({ redis: { ...redis, keys: 100_000_000 } });
    expect(by(huge, 'redis', 'maxmemory').recommended).toBe('8192mb');
  });

  it('sizes DuckDB memory_limit per thread and data, threads per CPU', () => {
    const duckdb = {
      memoryBytes: 8 * GiB,
      cpus: 4,
      memoryLimitBytes: 6.4 * GiB,
      memoryLimit: '6.4 GiB',
      threads: 8,
      databaseBytes: 3 * GiB,
      spilledBytes: 0,
    };
    const advice = computeTuning({ duckdb });
    // max(4 threads × 1 GiB, 2 × 3 GiB) = 6 GiB, under 80 % of 8 GiB.
    expect(by(advice, 'duckdb', 'memory_limit')).toMatchObject({
      recommended: '6GiB',
      change: false,
      command: "SET memory_limit = '6GiB'; -- or createAnalytics({ memoryLimit: '6GiB' })",
    });
    expect(by(advice, 'duckdb', 'threads')).toMatchObject({
      recommended: '4',
      change: true,
      command: 'SET threads = 4; -- or createAnalytics({ threads: 4 })',
    });
    const small = computeTuning({
      duckdb: { ...duckdb, databaseBytes: 0, memoryLimitBytes: 80 * GiB, threads: 4 },
    });
    expect(by(small, 'duckdb', 'memory_limit')).toMatchObject({ recommended: '4GiB', change: true });
  });
});
