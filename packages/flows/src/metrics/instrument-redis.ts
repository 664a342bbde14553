// Redis store calls, recorded where ioredis sends every command (`sendCommand`, pipelines and
// Lua scripts included): `redis <command> <key family>`, one in-memory update of the real-time
// metrics and one client span each. Left out: blocking reads (their time is waiting, not work) and
// the real-time metrics' own writes (recording them would feed the metrics with themselves).
import type { RedisClient } from '@monsteros/cache';
import type { MetricsRecorder } from './recorder.js';
import { endSpan, type StoreCall, startStoreCallSpan } from './tracing.js';

const BLOCKING = new Set([
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'xread',
  'xreadgroup',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'monitor',
  'wait',
]);

/** Commands whose first argument is not a key: their family is empty. */
const KEYLESS = new Set([
  'ping',
  'info',
  'config',
  'dbsize',
  'scan',
  'script',
  'client',
  'select',
  'time',
  'memory',
]);

/** Commands whose keys follow a script (sha or body) and a key count. */
const SCRIPTED = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

interface SentCommand {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

/**
 * The family of a key, as `db.collection.name`: the prefix dropped, then the hash tag's content
 * (`{cache:response}`), else the key up to its hash tag or its last part.
 * @example
 * keyFamily('mos:{cache:response}:sage:3f…', 'mos:')  // 'cache:response'
 * keyFamily('mos:agent:session:{sage}', 'mos:')        // 'agent:session'
 * keyFamily('mos:user:progress:0b1…', 'mos:')          // 'user:progress'
 */
function keyFamily(key: string, prefix: string): string {
  const k = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  if (k.startsWith('{')) {
    const end = k.indexOf('}');
    return end > 0 ? k.slice(1, end) : k;
  }
  const tag = k.indexOf('{');
  if (tag > 0) return k.slice(0, tag).replace(/:$/, '');
  const last = k.lastIndexOf(':');
  return last > 0 ? k.slice(0, last) : k;
}

function keyOf(name: string, args: unknown[]): unknown {
  if (KEYLESS.has(name)) return undefined;
  return SCRIPTED.has(name) ? (Number(args[1]) > 0 ? args[2] : undefined) : args[0];
}

const asText = (v: unknown) =>
  typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : undefined;

const instrumented = new WeakSet<object>();

/** The classes seen, one object each (their labels are then built once); bounded. */
const CLASSES_KEPT = 2_000;
/** command → key family ('' for none) → class: two lookups, no key text built per command. */
const classes = new Map<string, Map<string, StoreCall>>();
let classCount = 0;

function classOf(name: string, family: string | undefined): StoreCall {
  let byFamily = classes.get(name);
  if (!byFamily) {
    byFamily = new Map();
    classes.set(name, byFamily);
  }
  // A family is never empty (keyFamily keeps at least the key), so '' can stand for "no key".
  let call = byFamily.get(family ?? '');
  if (!call) {
    call =
      family === undefined
        ? { system: 'redis', operation: name }
        : { system: 'redis', operation: name, target: family };
    if (classCount >= CLASSES_KEPT) {
      classes.clear();
      classCount = 0;
      byFamily = new Map();
      classes.set(name, byFamily);
    }
    byFamily.set(family ?? '', call);
    classCount++;
  }
  return call;
}

/**
 * Instruments an ioredis client (standalone or Cluster) in place: each command becomes a `redis`
 * store call of `metrics` and a span. Idempotent; a no-op when recording is off.
 * @example
 * instrumentRedis(cache.redis, metrics, 'mos:');
 * // mos:rtm:{store_call}:m:<minute> gains redis␟get␟cache:response␟ok, redis␟evalsha␟cache:quest␟ok, …
 */
export function instrumentRedis(client: RedisClient, metrics: MetricsRecorder, prefix: string): void {
  if (!metrics.enabled || instrumented.has(client)) return;
  instrumented.add(client);
  const ownMetrics = `${prefix}rtm:`;
  type Send = (command: SentCommand, stream?: unknown, node?: unknown) => unknown;
  const target = client as unknown as { sendCommand: Send };
  const send = target.sendCommand.bind(client) as Send;
  // (command, stream) on a client, (command, stream, node) on a Cluster: named, not spread (no array per command).
  target.sendCommand = (command: SentCommand, stream?: unknown, node?: unknown) => {
    const name = command.name?.toLowerCase?.() ?? '';
    if (BLOCKING.has(name)) return send(command, stream, node);
    const key = asText(keyOf(name, command.args));
    if (key?.startsWith(ownMetrics)) return send(command, stream, node);
    const call = classOf(name, key === undefined ? undefined : keyFamily(key, prefix));
    const span = startStoreCallSpan(call);
    const started = performance.now();
    command.promise.then(
      () => {
        metrics.storeCall(call, performance.now() - started, true);
        endSpan(span);
      },
      (error: unknown) => {
        metrics.storeCall(call, performance.now() - started, false);
        endSpan(span, error);
      },
    );
    return send(command, stream, node);
  };
}
