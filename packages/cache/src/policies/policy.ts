// One cache namespace: get/set/getOrSet/write/invalidate, each a single Lua round trip.
import { randomUUID } from 'node:crypto';
import { unstorableTextRule } from '@monsteros/schema';
import { CORRUPT, decodeValue, type EncodedText, encodeForWrite } from '../codec.js';
import type { Availability, ScriptedClient } from '../connection.js';
import { CacheValidationError } from '../errors.js';
import { escapeKeyPart, type NamespaceKeys } from '../keys.js';
import { check, checkCacheValue, Tag, TtlSeconds } from '../validation.js';
import {
  KEY_SHAPES,
  type NamespaceKey,
  type NamespaceName,
  type NamespaceValue,
  type PolicyConfig,
} from './config.js';
import type { NearCache, Tracking } from './near-cache.js';

/** Options of `set`. */
export interface SetOptions {
  /** Overrides the namespace's TTL for this entry. */
  ttlSeconds?: number;
  /** Tags to invalidate the entry by later (e.g. `character:sage`). */
  tags?: string[];
}

/** Options of `getOrSet`. */
export interface GetOrSetOptions extends SetOptions {
  /** Overrides the namespace's stale-while-revalidate window. */
  staleWhileRevalidateSeconds?: number;
}

/** Counters of this process (Redis keeps the shared ones). */
export interface LocalPolicyCounters {
  /** Loader calls. */
  loads: number;
  /** Stale values served while a refresh ran. */
  staleServed: number;
  /** Writes not made because Redis was unavailable. */
  skippedWrites: number;
  /** Redis errors turned into misses. */
  redisErrors: number;
  /** Values that were not ours to decode, deleted. */
  corrupt: number;
  /** getOrSet calls that waited for another process's loader. */
  leaseWaits: number;
  /** Hits served by the near cache (no round trip). */
  nearHits: number;
}

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function validateKeyPart(value: unknown, field: string): string {
  // Hand-written rather than zod: this runs on every hit, and the bench holds it to raw GET speed.
  if (typeof value !== 'string') throw new CacheValidationError(field, 'must be a string');
  if (value.length === 0) throw new CacheValidationError(field, 'must not be empty');
  if (value.length > 512) throw new CacheValidationError(field, 'must be at most 512 characters');
  const escaped = escapeKeyPart(value);
  // Only a part with characters outside [A-Za-z0-9_.-] can hold NUL or a lone surrogate (which
  // UTF-8 would turn into U+FFFD, making two distinct keys one).
  if (escaped !== value) {
    const rule = unstorableTextRule(value);
    if (rule) throw new CacheValidationError(field, rule);
  }
  return escaped;
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
  const { client, availability, keys } = deps;
  const shape = KEY_SHAPES[namespace] as { parts: string[]; suffix: string };
  const strategy = config.strategy === 'write-through' ? 'lru' : config.strategy;
  const ttl = config.strategy === 'ttl';
  const expiries = ttl ? keys.index : keys.expiries;
  const maxSize = String(config.maxSize);
  const codec = { format: config.format, compressAboveBytes: config.compressAboveBytes };
  const local: LocalPolicyCounters = {
    loads: 0,
    staleServed: 0,
    skippedWrites: 0,
    redisErrors: 0,
    corrupt: 0,
    leaseWaits: 0,
    nearHits: 0,
  };
  const near: NearCache | undefined =
    config.nearCacheEntries > 0 && deps.tracking
      ? deps.tracking.nearCache(keys.entryPrefix, config.nearCacheEntries)
      : undefined;
  /** In-process single flight: member → the load in progress. */
  const flights = new Map<string, Promise<V>>();
  const refreshing = new Set<string>();
  /** Members whose write-through cache write failed: invalidated before they are read again. */
  const pendingInvalidations = new Set<string>();
  /** Write-through writes of one member run one after the other in this process. */
  const writeChains = new Map<string, Promise<unknown>>();
  let tokenCounter = 0;
  const tokenBase = randomUUID();

  // Batched read tracking: member → reads since the last flush, least recent first.
  const reads = new Map<string, number>();
  let unflushedMisses = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  function scheduleFlush(): void {
    if (reads.size >= 256) void flushReads();
    else if (!flushTimer) flushTimer = setTimeout(() => void flushReads(), config.readFlushMs).unref();
  }
  function recordHit(member: string): void {
    const n = reads.get(member);
    if (n !== undefined) reads.delete(member);
    reads.set(member, (n ?? 0) + 1);
    scheduleFlush();
  }
  function recordMiss(): void {
    unflushedMisses++;
    scheduleFlush();
  }
  /** The unflushed reads as script arguments (misses, then member/reads pairs); clears them. */
  function drainReads(): string[] {
    if (flushTimer) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    const args = [String(unflushedMisses)];
    for (const [member, n] of reads) args.push(member, String(n));
    reads.clear();
    unflushedMisses = 0;
    return args;
  }
  async function flushReads(): Promise<void> {
    if (reads.size === 0 && unflushedMisses === 0) return;
    const args = drainReads();
    if (!availability.up) return;
    try {
      await client.mosCacheReads(keys.index, keys.stats, strategy, ...args);
    } catch {
      // Lost reads only skew statistics and eviction order slightly; never fail a read for it.
      local.redisErrors++;
    }
  }

  function memberOf(key: K): string {
    if (typeof key !== 'object' || key === null) throw new CacheValidationError('key', 'must be an object');
    const record = key as Record<string, unknown>;
    let member = '';
    for (let i = 0; i < shape.parts.length; i++) {
      const part = shape.parts[i]!;
      let value: unknown;
      try {
        value = record[part];
      } catch {
        throw new CacheValidationError(`key.${part}`, 'must be plain data (reading it threw)');
      }
      member += (i === 0 ? '' : ':') + validateKeyPart(value, `key.${part}`);
    }
    return member + shape.suffix;
  }
  const entryKey = (member: string) => keys.entryPrefix + member;
  const leaseKey = (member: string) => keys.leasePrefix + member;
  const keysOf = (member: string) => [
    entryKey(member),
    keys.index,
    expiries,
    keys.stats,
    keys.memberTags,
    leaseKey(member),
  ];

  function ttlMsOf(options: SetOptions | undefined, swrSeconds: number): number {
    const seconds =
      options?.ttlSeconds === undefined
        ? config.ttlSeconds
        : check(TtlSeconds, options.ttlSeconds, 'ttlSeconds');
    return Math.max(1, Math.round((seconds + swrSeconds) * 1000));
  }
  function tagsOf(options: SetOptions | undefined): string[] {
    if (options?.tags === undefined) return [];
    if (!Array.isArray(options.tags)) throw new CacheValidationError('tags', 'must be an array of strings');
    return options.tags.map((t, i) => escapeKeyPart(check(Tag, t, `tags[${i}]`)));
  }
  function swrSecondsOf(options: GetOrSetOptions | undefined): number {
    if (options?.staleWhileRevalidateSeconds === undefined) return config.staleWhileRevalidateSeconds;
    const s = options.staleWhileRevalidateSeconds;
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      throw new CacheValidationError(
        'staleWhileRevalidateSeconds',
        'must be a number of seconds, not negative',
      );
    }
    return s;
  }

  async function flushPending(member: string): Promise<void> {
    near?.invalidate(member);
    await client.mosCacheDelete(...keysOf(member), member, keys.entryPrefix, keys.tagPrefix);
    pendingInvalidations.delete(member);
  }

  /** Decodes a reply; corrupt bytes are deleted (best effort) and read as a miss. */
  function decodeOrDrop(member: string, bytes: Buffer): V | typeof CORRUPT {
    const value = decodeValue(bytes);
    if (value === CORRUPT) {
      local.corrupt++;
      near?.invalidate(member);
      client.mosCacheDelete(...keysOf(member), member, keys.entryPrefix, keys.tagPrefix).catch(() => {});
    }
    return value as V | typeof CORRUPT;
  }

  const onReadError = (): undefined => {
    local.redisErrors++;
    return undefined;
  };

  /** The hit path: one GET, decode, and the read recorded in memory (no extra await layers). */
  function get(key: K): Promise<V | undefined> {
    let member: string;
    try {
      member = memberOf(key);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!availability.up) return Promise.resolve(undefined);
    if (pendingInvalidations.size > 0) return slowGet(member);
    if (config.readTracking === 'inline') {
      // One script call that reads and records the access (no extra await layers either).
      return client
        .mosCacheReadBuffer(entryKey(member), keys.index, keys.stats, member, strategy)
        .then((reply) => inlineHit(member, reply as Buffer | null), onReadError);
    }
    if (near) return nearGet(member).catch(onReadError);
    return client.getBuffer(entryKey(member)).then((bytes) => {
      if (bytes === null) {
        recordMiss();
        return undefined;
      }
      const value = decodeOrDrop(member, bytes);
      if (value === CORRUPT) return undefined;
      recordHit(member);
      return value;
    }, onReadError);
  }

  /**
   * A read through the near cache: a live entry is decoded without a round trip; otherwise one
   * pipeline `CLIENT CACHING YES` (track this key) + GET + PTTL, whose result is kept unless
   * something invalidated the key (or tracking lapsed) while it was in flight.
   */
  async function nearGet(member: string): Promise<V | undefined> {
    const cached = near!.lookup(member);
    if (cached !== undefined) {
      const value = decodeValue(cached) as V;
      local.nearHits++;
      recordHit(member);
      return value;
    }
    const begun = near!.beginFill(member);
    const key = entryKey(member);
    if (begun === undefined) {
      const bytes = await client.getBuffer(key);
      return bytes === null ? missed() : hit(member, bytes);
    }
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await client.pipeline().call('CLIENT', 'CACHING', 'YES').getBuffer(key).pttl(key).exec();
    } catch (error) {
      near!.endFill(member, begun, null, 0);
      throw error;
    }
    const [caching, got, pttl] = results ?? [];
    if (!got || got[0]) {
      near!.endFill(member, begun, null, 0);
      throw got?.[0] ?? new Error('near cache fill: no reply');
    }
    const bytes = got[1] as Buffer | null;
    if (bytes === null) {
      near!.endFill(member, begun, null, 0);
      return missed();
    }
    const value = hit(member, bytes);
    const tracked = caching !== undefined && caching[0] === null && pttl !== undefined && pttl[0] === null;
    near!.endFill(
      member,
      begun,
      tracked && value !== undefined ? bytes : null,
      tracked ? Number(pttl[1]) : 0,
    );
    return value;
  }
  function missed(): undefined {
    recordMiss();
    return undefined;
  }
  function hit(member: string, bytes: Buffer): V | undefined {
    const value = decodeOrDrop(member, bytes);
    if (value === CORRUPT) return undefined;
    recordHit(member);
    return value;
  }

  async function slowGet(member: string): Promise<V | undefined> {
    try {
      if (pendingInvalidations.has(member)) await flushPending(member);
      if (config.readTracking === 'batched') {
        const bytes = await client.getBuffer(entryKey(member));
        if (bytes === null) {
          recordMiss();
          return undefined;
        }
        const value = decodeOrDrop(member, bytes);
        if (value === CORRUPT) return undefined;
        recordHit(member);
        return value;
      }
      const reply = await client.mosCacheReadBuffer(
        entryKey(member),
        keys.index,
        keys.stats,
        member,
        strategy,
      );
      return inlineHit(member, reply as Buffer | null);
    } catch {
      return onReadError();
    }
  }
  function inlineHit(member: string, reply: Buffer | null): V | undefined {
    if (reply === null) return undefined;
    const value = decodeOrDrop(member, reply);
    return value === CORRUPT ? undefined : value;
  }

  /** Encodes and writes; `lease` makes it a loader's conditional write. Redis errors → false. */
  async function write(
    member: string,
    encoded: Buffer | EncodedText,
    ttlMs: number,
    tags: string[],
    lease?: { token: string; generation: string },
  ): Promise<boolean> {
    // Before the write is sent: a fill in flight is dropped, and any later fill is behind it.
    near?.invalidate(member);
    if (!availability.up) {
      local.skippedWrites++;
      return false;
    }
    try {
      const reply = (await client.mosCacheSet(
        ...keysOf(member),
        member,
        ...(Buffer.isBuffer(encoded) ? [encoded, ''] : [encoded.text, String(encoded.flags)]),
        String(ttlMs),
        strategy,
        maxSize,
        keys.entryPrefix,
        keys.tagPrefix,
        lease?.token ?? '',
        lease?.generation ?? '',
        String(tags.length),
        ...tags,
        ...drainReads(),
      )) as [number, number, string[]];
      // Members this write evicted: Redis reports them too, but only asynchronously.
      if (near) for (const victim of reply[2] ?? []) near.invalidate(victim);
      return reply[0] === 1;
    } catch {
      local.redisErrors++;
      local.skippedWrites++;
      return false;
    }
  }

  async function set(key: K, value: V, options?: SetOptions): Promise<boolean> {
    const member = memberOf(key);
    const ttlMs = ttlMsOf(options, 0);
    const tags = tagsOf(options);
    checkCacheValue(value);
    const encoded = encodeForWrite(value, codec);
    flights.delete(member);
    return write(member, encoded, ttlMs, tags);
  }

  interface Lookup {
    hit: boolean;
    value?: V;
    pttl?: number;
    leased?: boolean;
    generation: string;
  }

  async function lookup(member: string, token: string, leaseMs: number): Promise<Lookup> {
    if (pendingInvalidations.has(member)) await flushPending(member);
    const reply = (await client.mosCacheGetBuffer(
      ...keysOf(member),
      member,
      strategy,
      '1',
      token,
      String(leaseMs),
      keys.entryPrefix,
      keys.tagPrefix,
    )) as [Buffer | null, number, Buffer];
    const generation = reply[2].toString();
    if (reply[0] === null) return { hit: false, leased: reply[1] === 1, generation };
    const value = decodeOrDrop(member, reply[0]);
    if (value === CORRUPT) return { hit: false, leased: false, generation };
    return { hit: true, value, pttl: reply[1], generation };
  }

  async function load(loader: () => Promise<V>): Promise<V> {
    local.loads++;
    return loader();
  }

  async function loadAndStore(
    member: string,
    loader: () => Promise<V>,
    options: GetOrSetOptions | undefined,
    swrSeconds: number,
    lease: { token: string; generation: string },
  ): Promise<V> {
    // Awaited: when getOrSet returns or throws, other processes can take the lease at once.
    const release = () => client.mosLeaseRelease(leaseKey(member), lease.token).catch(() => {});
    let value: V;
    try {
      value = await load(loader);
    } catch (error) {
      await release();
      throw error;
    }
    if (value === undefined) {
      await release();
      return value;
    }
    let encoded: Buffer | EncodedText;
    try {
      encoded = encodeForWrite(value, codec);
    } catch (error) {
      await release();
      throw error;
    }
    await write(member, encoded, ttlMsOf(options, swrSeconds), tagsOf(options), lease);
    return value;
  }

  function refreshInBackground(
    member: string,
    loader: () => Promise<V>,
    options: GetOrSetOptions | undefined,
    swrSeconds: number,
    generation: string,
  ): void {
    if (refreshing.has(member)) return;
    refreshing.add(member);
    const token = `${tokenBase}:${++tokenCounter}`;
    (async () => {
      const got = await client.set(leaseKey(member), token, 'PX', config.leaseMs, 'NX');
      if (got !== 'OK') return;
      await loadAndStore(member, loader, options, swrSeconds, { token, generation });
    })()
      .catch(() => {
        local.redisErrors++;
      })
      .finally(() => refreshing.delete(member));
  }

  async function resolve(
    member: string,
    loader: () => Promise<V>,
    options: GetOrSetOptions | undefined,
  ): Promise<V> {
    const swrSeconds = swrSecondsOf(options);
    const swrMs = swrSeconds * 1000;
    const deadline = Date.now() + config.leaseMs;
    let delay = 5;
    let waited = false;
    for (;;) {
      if (!availability.up) {
        local.skippedWrites++;
        return load(loader);
      }
      const token = `${tokenBase}:${++tokenCounter}`;
      let found: Lookup;
      try {
        found = await lookup(member, token, config.leaseMs);
      } catch {
        // Redis down or slow: behave as a miss, and skip the write that would follow.
        local.redisErrors++;
        local.skippedWrites++;
        return load(loader);
      }
      if (found.hit) {
        if (swrMs > 0 && found.pttl !== undefined && found.pttl >= 0 && found.pttl <= swrMs) {
          local.staleServed++;
          refreshInBackground(member, loader, options, swrSeconds, found.generation);
        }
        return found.value as V;
      }
      if (found.leased)
        return loadAndStore(member, loader, options, swrSeconds, { token, generation: found.generation });
      // Another process holds the lease: wait for its value, bounded by the lease time.
      if (!waited) {
        waited = true;
        local.leaseWaits++;
      }
      if (Date.now() >= deadline) return load(loader);
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  }

  async function getOrSet(key: K, loader: () => Promise<V>, options?: GetOrSetOptions): Promise<V> {
    const member = memberOf(key);
    if (typeof loader !== 'function') throw new CacheValidationError('loader', 'must be a function');
    const swrSeconds = swrSecondsOf(options);
    if (options !== undefined) {
      ttlMsOf(options, swrSeconds);
      tagsOf(options);
    }
    const inFlight = flights.get(member);
    if (inFlight) return inFlight;
    // Hit path without stale-while-revalidate: a plain GET (misses take the lease script below).
    if (
      swrSeconds === 0 &&
      config.readTracking === 'batched' &&
      availability.up &&
      !pendingInvalidations.has(member)
    ) {
      try {
        if (near) {
          const value = await nearGet(member);
          if (value !== undefined) return value;
        } else {
          const bytes = await client.getBuffer(entryKey(member));
          if (bytes !== null) {
            const value = decodeOrDrop(member, bytes);
            if (value !== CORRUPT) {
              recordHit(member);
              return value;
            }
          }
        }
      } catch {
        // Redis trouble: resolve() below turns it into a miss that goes to the loader.
      }
      const joined = flights.get(member);
      if (joined) return joined;
    }
    const promise = resolve(member, loader, options).finally(() => {
      if (flights.get(member) === promise) flights.delete(member);
    });
    flights.set(member, promise);
    return promise;
  }

  async function writeThrough(
    key: K,
    value: V,
    writeSource: (value: V) => Promise<void>,
    options?: SetOptions,
  ): Promise<void> {
    const member = memberOf(key);
    if (typeof writeSource !== 'function')
      throw new CacheValidationError('writeSource', 'must be a function');
    const ttlMs = ttlMsOf(options, 0);
    const tags = tagsOf(options);
    // Serialize first: a value the cache cannot hold is refused before the source changes.
    checkCacheValue(value);
    const encoded = encodeForWrite(value, codec);
    const previous = writeChains.get(member) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        flights.delete(member);
        await writeSource(value);
        flights.delete(member);
        const written = await write(member, encoded, ttlMs, tags);
        if (!written) pendingInvalidations.add(member);
        else pendingInvalidations.delete(member);
      });
    writeChains.set(member, run);
    try {
      await run;
    } finally {
      if (writeChains.get(member) === run) writeChains.delete(member);
    }
  }

  async function del(key: K): Promise<boolean> {
    const member = memberOf(key);
    flights.delete(member);
    near?.invalidate(member);
    return (
      (await availability.run(`delete ${namespace} entry`, () =>
        client.mosCacheDelete(...keysOf(member), member, keys.entryPrefix, keys.tagPrefix),
      )) === 1
    );
  }

  async function invalidateTag(tag: string): Promise<number> {
    const escaped = escapeKeyPart(check(Tag, tag, 'tag'));
    flights.clear();
    near?.invalidateAll();
    const removed = (await availability.run(`invalidate tag in ${namespace}`, () =>
      client.mosCacheInvalidateTag(
        keys.index,
        expiries,
        keys.stats,
        keys.memberTags,
        keys.tagPrefix + escaped,
        keys.entryPrefix,
        keys.tagPrefix,
      ),
    )) as number;
    near?.invalidateAll();
    return removed;
  }

  async function clear(): Promise<number> {
    flights.clear();
    let removed = 0;
    for (let first = true; ; first = false) {
      // Before each batch: fills read between batches may hold entries a later batch deletes.
      near?.invalidateAll();
      const [n, remaining] = (await availability.run(`clear ${namespace}`, () =>
        client.mosCacheClear(
          keys.index,
          expiries,
          keys.stats,
          keys.memberTags,
          keys.entryPrefix,
          keys.tagPrefix,
          '500',
          first ? '1' : '0',
        ),
      )) as [number, number];
      removed += n;
      if (remaining === 0 || n === 0) {
        near?.invalidateAll();
        return removed;
      }
    }
  }

  async function replayInvalidations(): Promise<void> {
    for (const member of [...pendingInvalidations]) {
      try {
        await flushPending(member);
      } catch {
        return;
      }
    }
  }

  return {
    namespace,
    config,
    keyOf: (key: K) => entryKey(memberOf(key)),
    get,
    set,
    getOrSet,
    write: writeThrough,
    delete: del,
    invalidateTag,
    clear,
    local,
    replayInvalidations,
    flushReads,
  };
}
