// PostgreSQL store calls, recorded at the pg pool every query goes through (Prisma's adapter,
// Kysely, the repositories' raw SQL): each statement as `postgresql <operation> <table>`, the wait
// for a pooled connection (`acquire pool`) and how long it is held (`hold pool`), from which the
// monitor derives the pool's measured concurrency. Each is an in-memory update of the
// real-time metrics (sent in batches) and a client span (a no-op without an OpenTelemetry SDK).
import type pg from 'pg';
import type { MetricsRecorder } from './recorder.js';
import { endSpan, type StoreCall, startStoreCallSpan } from './tracing.js';

const ACQUIRE: StoreCall = { system: 'postgresql', operation: 'acquire', target: 'pool' };
const HOLD: StoreCall = { system: 'postgresql', operation: 'hold', target: 'pool' };

const CLASSES_KEPT = 2_000;
const classes = new Map<string, StoreCall>();

const TARGET: Record<string, RegExp> = {
  select: /\bfrom\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
  delete: /\bfrom\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
  insert: /\binto\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
  update: /^\s*update\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
  copy: /^\s*copy\s+(?:\(\s*select\b[\s\S]*?\bfrom\s+)?(?:"?\w+"?\.)?"?(\w+)"?/i,
};

/**
 * The class of a statement: its operation (first keyword; for `with …` the statement that
 * follows the CTEs) and its main table, as `db.operation.name` and `db.collection.name`.
 * Memoized by text: the statements are parameterized, so a few hundred texts repeat.
 * @example
 * statementClass('select "id" from "character_agents" where "name" = $1');
 * // { system: 'postgresql', operation: 'select', target: 'character_agents' }
 */
export function statementClass(text: string): StoreCall {
  const known = classes.get(text);
  if (known) return known;
  let operation = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'query';
  let body = text;
  if (operation === 'with') {
    // The main statement of a CTE query: the first DML keyword right after a closing parenthesis.
    const main = /\)\s*(select|insert|update|delete)\b([\s\S]*)$/i.exec(text);
    if (main) {
      operation = main[1]!.toLowerCase();
      body = main[1]! + main[2]!;
    }
  }
  const target = TARGET[operation]?.exec(body)?.[1];
  const call: StoreCall = target
    ? { system: 'postgresql', operation, target }
    : { system: 'postgresql', operation };
  if (classes.size >= CLASSES_KEPT) classes.clear();
  classes.set(text, call);
  return call;
}

type Callback = (error: Error | null | undefined, result?: unknown) => void;
type QueryFn = (...args: unknown[]) => unknown;
const instrumented = new WeakSet<object>();

function queryText(config: unknown): string | null {
  if (typeof config === 'string') return config;
  if (config && typeof config === 'object' && typeof (config as { text?: unknown }).text === 'string')
    return (config as { text: string }).text;
  return null;
}

/** Times every statement a pooled client runs (promise and callback forms; cursors and COPY streams pass through). */
function instrumentClient(client: pg.PoolClient, metrics: MetricsRecorder): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  const query = client.query as unknown as QueryFn;
  (client as unknown as { query: QueryFn }).query = function (this: unknown, ...args: unknown[]) {
    const config = args[0];
    const text = queryText(config);
    if (text === null || typeof (config as { submit?: unknown }).submit === 'function')
      return query.apply(this, args);
    const call = statementClass(text);
    const span = startStoreCallSpan(call);
    const started = performance.now();
    const done = (error: unknown) => {
      metrics.storeCall(call, performance.now() - started, !error);
      endSpan(span, error ?? undefined);
    };
    const at = typeof args[1] === 'function' ? 1 : typeof args[2] === 'function' ? 2 : -1;
    if (at >= 0) {
      const callback = args[at] as Callback;
      args[at] = (error: Error | null | undefined, result?: unknown) => {
        done(error);
        callback(error, result);
      };
      return query.apply(this, args);
    }
    let out: unknown;
    try {
      out = query.apply(this, args);
    } catch (error) {
      done(error);
      throw error;
    }
    if (out && typeof (out as Promise<unknown>).then === 'function')
      return (out as Promise<unknown>).then(
        (result) => {
          done(undefined);
          return result;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      );
    done(undefined);
    return out;
  };
}

/** Records the checkout: the wait for it, then (at release) how long the connection was held. */
function checkedOut(client: pg.PoolClient, metrics: MetricsRecorder, requested: number): void {
  const acquired = performance.now();
  metrics.storeCall(ACQUIRE, acquired - requested, true);
  instrumentClient(client, metrics);
  // pg-pool sets a new `release` on every checkout: wrapped each time, before the caller sees it.
  const release = client.release;
  client.release = (error?: Error | boolean) => {
    metrics.storeCall(HOLD, performance.now() - acquired, !error);
    return release.call(client, error);
  };
}

/**
 * Instruments a pg pool in place: statements, connection waits and holds become `postgresql`
 * store calls of `metrics`. Idempotent; a no-op when recording is off.
 * @example
 * instrumentPostgresPool(relational.pool, metrics);
 * // mos:rtm:{store_call}:m:<minute> gains postgresql␟select␟character_agents␟ok, postgresql␟acquire␟pool␟ok, …
 */
export function instrumentPostgresPool(pool: pg.Pool, metrics: MetricsRecorder): void {
  if (!metrics.enabled || instrumented.has(pool)) return;
  instrumented.add(pool);
  const connect = pool.connect.bind(pool) as (cb?: unknown) => unknown;
  type ConnectCallback = (error: Error | undefined, client?: pg.PoolClient, done?: unknown) => void;
  (pool as unknown as { connect: (cb?: ConnectCallback) => unknown }).connect = (cb?: ConnectCallback) => {
    const requested = performance.now();
    if (typeof cb === 'function')
      return connect((error: Error | undefined, client?: pg.PoolClient, done?: unknown) => {
        if (error || !client) metrics.storeCall(ACQUIRE, performance.now() - requested, false);
        else checkedOut(client, metrics, requested);
        cb(error, client, client ? client.release : done);
      });
    return (connect() as Promise<pg.PoolClient>).then(
      (client) => {
        checkedOut(client, metrics, requested);
        return client;
      },
      (error: unknown) => {
        metrics.storeCall(ACQUIRE, performance.now() - requested, false);
        throw error;
      },
    );
  };
}
