// PostgreSQL store calls, recorded at the pg pool every query goes through (Prisma's adapter,
// Kysely, the repositories' raw SQL): each statement as `postgresql <operation> <table>`, the wait
// for a pooled connection (`acquire pool`) and how long it is held (`hold pool`), from which the
// monitor derives the pool's measured concurrency. Each is an in-memory update of the
// real-time metrics (sent in batches) and a client span (a no-op without an OpenTelemetry SDK).
import type { Span } from '@opentelemetry/api';
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
const instrumented = new WeakSet<object>();

function queryText(config: unknown): string | null {
  if (typeof config === 'string') return config;
  if (config && typeof config === 'object' && typeof (config as { text?: unknown }).text === 'string')
    return (config as { text: string }).text;
  return null;
}

/**
 * Times every statement a pooled client runs (promise and callback forms; cursors and COPY
 * streams pass through). A promise-form call is run in pg's callback form under one promise of
 * our own, so timing it adds no promise to pg's.
 */
function instrumentClient(client: pg.PoolClient, metrics: MetricsRecorder): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  const query = client.query as unknown as (config: unknown, values?: unknown, callback?: unknown) => unknown;
  (client as unknown as { query: typeof query }).query = function (
    this: unknown,
    config: unknown,
    values?: unknown,
    callback?: unknown,
  ) {
    const text = queryText(config);
    // Submittables (cursors, COPY streams) and configs carrying their own callback pass through.
    if (
      text === null ||
      typeof (config as { submit?: unknown }).submit === 'function' ||
      (config as { callback?: unknown }).callback !== undefined
    )
      return query.call(this, config, values, callback);
    const call = statementClass(text);
    const span = startStoreCallSpan(call);
    const started = performance.now();
    // Callbacks written inline (no per-call named closure: under tsx each would also get a name set).
    const given = (typeof values === 'function' ? values : callback) as Callback | undefined;
    if (typeof given === 'function')
      return query.call(
        this,
        config,
        typeof values === 'function' ? undefined : values,
        (error: Error | null | undefined, result?: unknown) => {
          statementDone(metrics, call, span, started, error);
          given(error, result);
        },
      );
    return new Promise((resolve, reject) => {
      try {
        query.call(this, config, values, (error: Error | null | undefined, result?: unknown) => {
          statementDone(metrics, call, span, started, error);
          if (error) {
            // As pg does for its promise form: a stack that leads back here, not to the socket read.
            if (error instanceof Error) Error.captureStackTrace(error);
            reject(error);
          } else resolve(result);
        });
      } catch (error) {
        statementDone(metrics, call, span, started, error);
        reject(error);
      }
    });
  };
}

function statementDone(
  metrics: MetricsRecorder,
  call: StoreCall,
  span: Span,
  started: number,
  error: unknown,
): void {
  metrics.storeCall(call, performance.now() - started, !error);
  endSpan(span, error ?? undefined);
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
    // The promise form through pg-pool's callback form: one promise per checkout, not two.
    return new Promise<pg.PoolClient>((resolve, reject) => {
      connect((error: Error | undefined, client?: pg.PoolClient) => {
        if (error || !client) {
          metrics.storeCall(ACQUIRE, performance.now() - requested, false);
          // As pg-pool does for its promise form: a stack that leads back to the caller.
          if (error instanceof Error) Error.captureStackTrace(error);
          reject(error);
        } else {
          checkedOut(client, metrics, requested);
          resolve(client);
        }
      });
    });
  };
}
