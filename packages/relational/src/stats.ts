import type pg from 'pg';
import { mapDatabaseError } from './errors.js';

/** What the performance monitor reads from PostgreSQL and our pool. */
export interface RelationalStats {
  pool: { total: number; idle: number; waiting: number; active: number };
  /** Connections to this database on the server, by state (active, idle, idle in transaction, …). */
  serverConnections: Record<string, number>;
  /** Share of block reads served from shared buffers for this database (0..1), null before any read. */
  cacheHitRatio: number | null;
  /** Top statements by mean time, when pg_stat_statements is installed. */
  slowStatements:
    | { available: true; rows: Array<{ query: string; calls: number; meanMs: number; totalMs: number }> }
    | { available: false; reason: string };
  /** Sessions of this database waiting for a lock, and on which relation. */
  lockWaits: Array<{
    pid: number;
    waitingForMs: number;
    mode: string;
    relation: string | null;
    query: string;
  }>;
  /** Largest tables with their total, table and index sizes in bytes. */
  tables: Array<{ table: string; totalBytes: number; tableBytes: number; indexBytes: number; rows: number }>;
}

/**
 * Reads the pool counters and the server statistics in parallel.
 * @example
 * const stats = await relational.stats();
 */
export async function readStats(pool: pg.Pool): Promise<RelationalStats> {
  try {
    const [connections, hit, locks, tables, statements] = await Promise.all([
      pool.query<{ state: string | null; n: number }>(
        `select coalesce(state, 'unknown') as state, count(*)::int as n
           from pg_stat_activity where datname = current_database() group by 1`,
      ),
      pool.query<{ ratio: number | null }>(
        `select case when blks_hit + blks_read = 0 then null
                     else blks_hit::float8 / (blks_hit + blks_read) end as ratio
           from pg_stat_database where datname = current_database()`,
      ),
      pool.query<{ pid: number; waiting_ms: number; mode: string; relation: string | null; query: string }>(
        `select a.pid, (extract(epoch from now() - a.query_start) * 1000)::float8 as waiting_ms,
                l.mode, l.relation::regclass::text as relation, left(a.query, 500) as query
           from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where not l.granted and a.datname = current_database()`,
      ),
      pool.query<{ table: string; total: string; tbl: string; idx: string; rows: string }>(
        `select c.relname as table, pg_total_relation_size(c.oid) as total, pg_relation_size(c.oid) as tbl,
                pg_indexes_size(c.oid) as idx, greatest(c.reltuples, 0)::bigint as rows
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind = 'r' and n.nspname = current_schema()
          order by pg_total_relation_size(c.oid) desc limit 20`,
      ),
      slowStatements(pool),
    ]);
    return {
      pool: {
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        active: pool.totalCount - pool.idleCount,
      },
      serverConnections: Object.fromEntries(connections.rows.map((r) => [r.state ?? 'unknown', r.n])),
      cacheHitRatio: hit.rows[0]?.ratio ?? null,
      slowStatements: statements,
      lockWaits: locks.rows.map((r) => ({
        pid: r.pid,
        waitingForMs: r.waiting_ms,
        mode: r.mode,
        relation: r.relation,
        query: r.query,
      })),
      tables: tables.rows.map((r) => ({
        table: r.table,
        totalBytes: Number(r.total),
        tableBytes: Number(r.tbl),
        indexBytes: Number(r.idx),
        rows: Number(r.rows),
      })),
    };
  } catch (error) {
    throw mapDatabaseError(error, 'read PostgreSQL statistics');
  }
}

async function slowStatements(pool: pg.Pool): Promise<RelationalStats['slowStatements']> {
  const installed = await pool.query(`select 1 from pg_extension where extname = 'pg_stat_statements'`);
  if (installed.rowCount === 0) {
    return { available: false, reason: 'the pg_stat_statements extension is not installed in this database' };
  }
  try {
    const rows = await pool.query<{ query: string; calls: string; mean: number; total: number }>(
      `select left(query, 500) as query, calls, mean_exec_time as mean, total_exec_time as total
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by mean_exec_time desc limit 10`,
    );
    return {
      available: true,
      rows: rows.rows.map((r) => ({
        query: r.query,
        calls: Number(r.calls),
        meanMs: r.mean,
        totalMs: r.total,
      })),
    };
  } catch (error) {
    // Installed but not preloaded (shared_preload_libraries): say why instead of failing.
    return { available: false, reason: `pg_stat_statements cannot be read: ${(error as Error).message}` };
  }
}
