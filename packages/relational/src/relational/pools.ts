// The pg pools: the primary (opened here, or the one you pass) and one per read replica, each
// with the error listeners that keep a lost connection from crashing the process.
import pg from 'pg';
import type { RelationalSettings } from '../relational-options.js';

/** The primary pool and the replica pools; `ownsPool` says whether close() ends the primary. */
export function openPools(
  settings: RelationalSettings,
  given: pg.Pool | undefined,
): { pool: pg.Pool; ownsPool: boolean; replicaPools: pg.Pool[] } {
  const pool = given ?? new pg.Pool(settings.poolConfig(settings.connectionString));
  // An idle connection that dies (server restart) must not crash the process; the pool
  // replaces it, and the next query reports the outage as UnavailableError.
  pool.on('error', () => {});
  // A client checked out by Kysely, Prisma or a COPY stream has no listener of its own between
  // statements; this one keeps a lost connection from crashing the process (the next statement
  // on it fails, typed UNAVAILABLE, and the pool discards it on release).
  pool.on('connect', (client) => client.on('error', () => {}));
  const replicaPools = settings.replicaUrls.map((url) => {
    const replica = new pg.Pool(settings.poolConfig(url));
    replica.on('error', () => {});
    return replica;
  });
  return { pool, ownsPool: given === undefined, replicaPools };
}
