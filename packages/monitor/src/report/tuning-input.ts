// What the tuning rules read of a snapshot.
import type { TuningInput } from '../tuning.js';
import type { MonitorSnapshot } from '../types.js';

export function tuningInput(s: MonitorSnapshot): TuningInput {
  const pg = s.postgres;
  const r = s.redis;
  const d = s.duckdb;
  return {
    postgres:
      pg.status === 'ok'
        ? {
            memoryBytes: pg.tuning.memoryBytes,
            cpus: pg.tuning.cpus,
            hostSource: pg.tuning.hostSource,
            maxConnections: pg.database.settings.maxConnections,
            reservedConnections: pg.tuning.reservedConnections,
            sharedBuffersBytes: pg.tuning.sharedBuffersBytes,
            effectiveCacheSizeBytes: pg.tuning.effectiveCacheSizeBytes,
            workMemBytes: pg.tuning.workMemBytes,
            maintenanceWorkMemBytes: pg.tuning.maintenanceWorkMemBytes,
            pool: {
              size: pg.tuning.poolSize,
              measured: s.shared.status === 'ok' ? s.shared.postgresPool : null,
            },
          }
        : null,
    redis:
      r.status === 'ok' && r.totalKeys !== null
        ? {
            usedBytes: r.memory.usedBytes,
            startupBytes: r.tuning.startupBytes,
            systemMemoryBytes: r.tuning.systemMemoryBytes,
            maxmemoryBytes: r.memory.maxmemoryBytes,
            policy: r.memory.evictionPolicy,
            keys: r.totalKeys,
            sample: r.tuning.sample,
          }
        : null,
    duckdb:
      d.status === 'ok'
        ? {
            memoryBytes: d.host.memoryBytes,
            cpus: d.host.cpus,
            memoryLimitBytes: d.memoryLimitBytes,
            memoryLimit: d.memoryLimit,
            threads: d.buffer.threads,
            databaseBytes: d.buffer.databaseBytes,
            spilledBytes: d.buffer.temporaryStorageBytes,
          }
        : null,
  };
}
