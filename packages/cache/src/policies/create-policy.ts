// One cache namespace: get/set/getOrSet/write/invalidate. This file wires the policy's parts and
// checks each call's arguments; each part has one job: the read path (read-path.ts), batched
// read tracking (read-tracker.ts), stampede control (stampede.ts), write-through
// (write-through.ts), and the Redis calls with their KEYS and ARGV (namespace-commands.ts).
import { CORRUPT, type EncodedText, encodeForWrite } from '../codec.js';
import type { Availability, ScriptedClient } from '../connection.js';
import { CacheValidationError } from '../errors.js';
import { escapeKeyPart, type NamespaceKeys } from '../keys.js';
import { check, checkCacheValue, KeyPart } from '../validation.js';
import {
  type GetOrSetOptions,
  type KeyShape,
  memberOf,
  type SetOptions,
  swrSecondsOf,
  tagsOf,
  ttlMsOf,
} from './call-arguments.js';
import { type LocalPolicyCounters, newLocalCounters } from './local-counters.js';
import { NamespaceCommands } from './namespace-commands.js';
import {
  KEY_SHAPES,
  type NamespaceKey,
  type NamespaceName,
  type NamespaceValue,
  type PolicyConfig,
} from './namespaces.js';
import type { NearCache, Tracking } from './near-cache.js';
import { ReadPath } from './read-path.js';
import { ReadTracker } from './read-tracker.js';
import { type Lease, type Lookup, Stampede } from './stampede.js';
import { WriteThrough } from './write-through.js';

/** A cache namespace with its policy; `K` is its key parts, `V` the cached (schema) type. */
export interface CachePolicy<K, V> {
  readonly namespace: NamespaceName;
  readonly config: Readonly<PolicyConfig>;
  /**
   * The Redis key of an entry (escaped, inside the namespace's hash tag).
   * @example quest.keyOf({ questId: id }) // 'mos:{cache:quest}:<id>'
   */
  keyOf(key: K): string;
  /**
   * Reads an entry; a miss, corrupt bytes or an unavailable Redis all return undefined.
   * @example const quest = await cache.policies.quest_data.get({ questId });
   */
  get(key: K): Promise<V | undefined>;
  /**
   * Writes an entry, evicting by the strategy when the namespace is full. Returns false when
   * Redis was unavailable (the write is skipped and counted); bad input throws CacheValidationError.
   * @example await cache.policies.quest_data.set({ questId }, quest);
   */
  set(key: K, value: V, options?: SetOptions): Promise<boolean>;
  /**
   * Returns the cached value or loads it: concurrent misses run `loader` once per process and,
   * through a Redis lease, once across processes. Redis errors never escape; loader errors do.
   * @example const quest = await quests.getOrSet({ questId }, () => relational.quests.get(questId));
   */
  getOrSet(key: K, loader: () => Promise<V>, options?: GetOrSetOptions): Promise<V>;
  /**
   * Write-through: writes the source with `writeSource`, then the cache; a read after it
   * resolves sees the new value (a cache write that failed is retried as an invalidation).
   * @example await prefs.write({ userId }, prefsValue, (v) => relational.users.setPreferences(userId, v));
   */
  write(key: K, value: V, writeSource: (value: V) => Promise<void>, options?: SetOptions): Promise<void>;
  /**
   * Invalidates one entry. Returns whether it existed.
   * @example await responses.delete({ character: 'sage', hash });
   */
  delete(key: K): Promise<boolean>;
  /**
   * Invalidates every entry of this namespace carrying `tag`. Returns how many.
   * @example await memory.invalidateTag('character:sage');
   */
  invalidateTag(tag: string): Promise<number>;
  /**
   * Invalidates the whole namespace. Returns how many entries were removed.
   * @example await cache.policies.character_responses.clear();
   */
  clear(): Promise<number>;
  /** This process's counters. */
  readonly local: Readonly<LocalPolicyCounters>;
}

interface PolicyDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: NamespaceKeys;
  /** The client-side caching connection, when a namespace has a near cache. */
  tracking?: Tracking;
}

/** Builds the policy object of one namespace. */
export function createPolicy<N extends NamespaceName>(
  namespace: N,
  config: PolicyConfig,
  deps: PolicyDeps,
): CachePolicy<NamespaceKey<N>, NamespaceValue<N>> & {
  replayInvalidations(): Promise<void>;
  flushReads(): Promise<void>;
} {
  type K = NamespaceKey<N>;
  type V = NamespaceValue<N>;
  const { availability, keys } = deps;
  const shape: KeyShape = KEY_SHAPES[namespace];
  const codec = { format: config.format, compressAboveBytes: config.compressAboveBytes };
  const local = newLocalCounters();
  const near: NearCache | undefined =
    config.nearCacheEntries > 0 && deps.tracking
      ? deps.tracking.nearCache(keys.entryPrefix, config.nearCacheEntries)
      : undefined;

  const redis = new NamespaceCommands(deps.client, keys, config);
  const reads = new ReadTracker({
    flushMs: config.readFlushMs,
    availability,
    send: (args) => redis.sendReads(args),
    counters: local,
  });
  const stampede = new Stampede<V>(
    {
      lookup,
      takeLease: (member, token, leaseMs) => redis.takeLease(member, token, leaseMs),
      releaseLease: (member, token) => redis.releaseLease(member, token),
    },
    { availability, leaseMs: config.leaseMs, counters: local },
  );
  const writes = new WriteThrough({
    async invalidate(member) {
      near?.invalidate(member);
      await redis.delete(member);
    },
    forgetLoad: (member) => stampede.forget(member),
  });
  const readPath = new ReadPath<V>({
    availability,
    redis,
    reads,
    pending: writes,
    readTracking: config.readTracking,
    near,
    counters: local,
  });

  /** getOrSet's lookup: a pending invalidation goes first; corrupt bytes read as another's lease (poll again). */
  async function lookup(member: string, token: string, leaseMs: number): Promise<Lookup<V>> {
    if (writes.isPending(member)) await writes.flushPending(member);
    const [bytes, n, generationBytes] = await redis.lookup(member, token, leaseMs);
    const generation = generationBytes.toString();
    if (bytes === null) return { hit: false, leased: n === 1, generation };
    const value = readPath.decode(member, bytes);
    if (value === CORRUPT) return { hit: false, leased: false, generation };
    return { hit: true, value, pttl: n, generation };
  }

  /** Writes an entry (a loader's write is conditional on its lease). Redis errors → false. */
  async function writeEntry(
    member: string,
    encoded: Buffer | EncodedText,
    ttlMs: number,
    tags: string[],
    lease?: Lease,
  ): Promise<boolean> {
    // Before the write is sent: a fill in flight is dropped, and any later fill is behind it.
    near?.invalidate(member);
    if (!availability.up) {
      local.skippedWrites++;
      return false;
    }
    try {
      // The pending reads go first: eviction must see them.
      const reply = await redis.write(member, encoded, ttlMs, tags, lease, reads.drain());
      // Members this write evicted: Redis reports them too, but only asynchronously.
      if (near) for (const victim of reply[2] ?? []) near.invalidate(victim);
      return reply[0] === 1;
    } catch {
      local.redisErrors++;
      local.skippedWrites++;
      return false;
    }
  }

  function get(key: K): Promise<V | undefined> {
    let member: string;
    try {
      member = memberOf(shape, key);
    } catch (error) {
      return Promise.reject(error);
    }
    return readPath.get(member);
  }

  async function set(key: K, value: V, options?: SetOptions): Promise<boolean> {
    const member = memberOf(shape, key);
    const ttlMs = ttlMsOf(config.ttlSeconds, options, 0);
    const tags = tagsOf(options);
    checkCacheValue(value);
    const encoded = encodeForWrite(value, codec);
    stampede.forget(member);
    return writeEntry(member, encoded, ttlMs, tags);
  }

  async function getOrSet(key: K, loader: () => Promise<V>, options?: GetOrSetOptions): Promise<V> {
    const member = memberOf(shape, key);
    if (typeof loader !== 'function') throw new CacheValidationError('loader', 'must be a function');
    const swrSeconds = swrSecondsOf(config.staleWhileRevalidateSeconds, options);
    if (options !== undefined) {
      ttlMsOf(config.ttlSeconds, options, swrSeconds);
      tagsOf(options);
    }
    const inFlight = stampede.inFlight(member);
    if (inFlight) return inFlight;
    // Hit path without stale-while-revalidate: a plain GET (misses take the lease script below).
    if (
      swrSeconds === 0 &&
      config.readTracking === 'batched' &&
      availability.up &&
      !writes.isPending(member)
    ) {
      try {
        const value = await readPath.hitBeforeLoad(member);
        if (value !== undefined) return value;
      } catch {
        // Redis trouble: the lookup below turns it into a miss that goes to the loader.
      }
      const joined = stampede.inFlight(member);
      if (joined) return joined;
    }
    return stampede.load(member, {
      loader,
      swrMs: swrSeconds * 1000,
      async store(value, lease) {
        const encoded = encodeForWrite(value, codec);
        await writeEntry(
          member,
          encoded,
          ttlMsOf(config.ttlSeconds, options, swrSeconds),
          tagsOf(options),
          lease,
        );
      },
    });
  }

  async function writeThrough(
    key: K,
    value: V,
    writeSource: (value: V) => Promise<void>,
    options?: SetOptions,
  ): Promise<void> {
    const member = memberOf(shape, key);
    if (typeof writeSource !== 'function')
      throw new CacheValidationError('writeSource', 'must be a function');
    const ttlMs = ttlMsOf(config.ttlSeconds, options, 0);
    const tags = tagsOf(options);
    // Serialize first: a value the cache cannot hold is refused before the source changes.
    checkCacheValue(value);
    const encoded = encodeForWrite(value, codec);
    await writes.write(
      member,
      () => writeSource(value),
      () => writeEntry(member, encoded, ttlMs, tags),
    );
  }

  async function del(key: K): Promise<boolean> {
    const member = memberOf(shape, key);
    stampede.forget(member);
    near?.invalidate(member);
    return (await availability.run(`delete ${namespace} entry`, () => redis.delete(member))) === 1;
  }

  async function invalidateTag(tag: string): Promise<number> {
    const escaped = escapeKeyPart(check(KeyPart, tag, 'tag'));
    stampede.forgetAll();
    near?.invalidateAll();
    const removed = await availability.run(`invalidate tag in ${namespace}`, () =>
      redis.invalidateTag(escaped),
    );
    near?.invalidateAll();
    return removed;
  }

  async function clear(): Promise<number> {
    stampede.forgetAll();
    let removed = 0;
    for (let first = true; ; first = false) {
      // Before each batch: fills read between batches may hold entries a later batch deletes.
      near?.invalidateAll();
      const [n, remaining] = await availability.run(`clear ${namespace}`, () => redis.clearBatch(first));
      removed += n;
      if (remaining === 0 || n === 0) {
        near?.invalidateAll();
        return removed;
      }
    }
  }

  return {
    namespace,
    config,
    keyOf: (key: K) => redis.entryKey(memberOf(shape, key)),
    get,
    set,
    getOrSet,
    write: writeThrough,
    delete: del,
    invalidateTag,
    clear,
    local,
    replayInvalidations: () => writes.replay(),
    flushReads: () => reads.flush(),
  };
}
