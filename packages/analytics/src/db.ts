// One DuckDB instance per createAnalytics: a writer connection whose work is serialized
// (ingestion, exports), short-lived reader connections for analyses, and query timings.
import { DuckDBConnection, type DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { AnalyticsError } from './errors.js';

/** Latency of one named query over the last calls. */
export interface QueryTiming {
  name: string;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  totalMs: number;
}

const WINDOW = 512;

class Timings {
  private readonly byName = new Map<string, { calls: number; totalMs: number; recent: number[] }>();

  record(name: string, ms: number): void {
    let t = this.byName.get(name);
    if (!t) {
      t = { calls: 0, totalMs: 0, recent: [] };
      this.byName.set(name, t);
    }
    t.calls++;
    t.totalMs += ms;
    t.recent.push(ms);
    if (t.recent.length > WINDOW) t.recent.shift();
  }

  snapshot(): QueryTiming[] {
    return [...this.byName.entries()].map(([name, t]) => {
      const sorted = [...t.recent].sort((a, b) => a - b);
      const at = (p: number) =>
        sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
      return {
        name,
        calls: t.calls,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        maxMs: sorted.at(-1) ?? 0,
        totalMs: t.totalMs,
      };
    });
  }
}

type Row = Record<string, unknown>;

/** Converts DuckDB's JS values at the edge: BIGINT/HUGEINT counts to numbers, DECIMAL to numbers. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  return value;
}

export class Db {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  readonly timings = new Timings();

  constructor(
    readonly instance: DuckDBInstance,
    readonly writer: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  private ensureOpen(): void {
    if (this.closed) throw new AnalyticsError('CLOSED', 'analytics is closed');
  }

  /** Runs `fn` on the writer connection after every earlier writer task finished. */
  exclusive<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.ensureOpen();
    const run = this.queue.then(() => fn(this.writer));
    this.queue = run.catch(() => {});
    return run;
  }

  /** A parameterized read on its own connection; rows as plain objects (Dates, numbers, strings). */
  read<R extends object>(name: string, sql: string, values: DuckDBValue[] = []): Promise<R[]> {
    return this.withConnection(name, (connection) => rowsOf<R>(connection, sql, values));
  }

  /** Runs `fn` on a connection of its own (temp tables live and die with it), timed under `name`. */
  async withConnection<T>(name: string, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.ensureOpen();
    const started = performance.now();
    const connection = await DuckDBConnection.create(this.instance);
    try {
      return await fn(connection);
    } catch (error) {
      if (error instanceof AnalyticsError) throw error;
      throw new AnalyticsError(
        'DUCKDB',
        `${name}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      connection.closeSync();
      this.timings.record(name, performance.now() - started);
    }
  }

  /** Refuses new work at once, lets queued writer work finish, then closes DuckDB (once). */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = this.queue.then(() => {
        this.writer.closeSync();
        this.instance.closeSync();
      });
    }
    return this.closing;
  }
}

/** Rows of a query on the given connection, as plain objects. */
export async function rowsOf<R extends object>(
  connection: DuckDBConnection,
  sql: string,
  values: DuckDBValue[] = [],
): Promise<R[]> {
  const reader = await connection.runAndReadAll(sql, values);
  return reader.getRowObjectsJS().map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) out[k] = plain(v);
    return out as R;
  });
}

/** A string as a SQL literal, for the few statements that take no parameters (COPY paths). */
export function literal(text: string): string {
  if (text.includes('\0')) throw new AnalyticsError('VALIDATION', 'a path must not contain NUL');
  return `'${text.replaceAll("'", "''")}'`;
}
