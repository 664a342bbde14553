// The optional in-process near cache: values this process read, kept until Redis says they
// changed. Redis client-side caching (CLIENT TRACKING … REDIRECT … OPTIN) tells a second
// connection, subscribed to `__redis__:invalidate`, every key read with `CLIENT CACHING yes` that
// is later written, deleted, evicted, expired or flushed. Nothing is served unless that channel
// is known to be intact: any drop of either connection starts a new epoch, empties every near
// cache, and fills sent in an older epoch are never stored.
import type { Redis } from 'ioredis';

/** One near-cached entry: the encoded bytes (decoded per read, so callers never share an object). */
interface NearEntry {
  bytes: Buffer;
  /** Monotonic clock (performance.now, ms) after which the entry is not served: its Redis PTTL counted from the send. */
  expiresAt: number;
}

/** A fill in flight: a write or invalidation seen meanwhile makes its result unusable. */
interface Fill {
  dirty: boolean;
}

/** The near cache of one namespace. */
export interface NearCache {
  /** The bytes of a live entry, or undefined. */
  lookup(member: string): Buffer | undefined;
  /** Starts a fill of `member`, or returns undefined when one is in flight or tracking is off. */
  beginFill(member: string): { fill: Fill; epoch: number; sentAt: number } | undefined;
  /** Stores a fill's result if nothing invalidated it, the epoch is the same and it has a TTL. */
  endFill(
    member: string,
    begun: { fill: Fill; epoch: number; sentAt: number },
    bytes: Buffer | null,
    pttl: number,
  ): void;
  /** Drops one member (own write or delete), including a fill in flight. */
  invalidate(member: string): void;
  /** Drops every member (clear, tag invalidation, lost tracking). */
  invalidateAll(): void;
}

/** The tracking connection shared by the near caches of one cache. */
export interface Tracking {
  /** True while invalidations are known to reach this process. */
  readonly active: boolean;
  readonly epoch: number;
  /** The near cache of a namespace whose entry keys start with `entryPrefix`. */
  nearCache(entryPrefix: string, maxEntries: number): NearCache;
  close(): Promise<void>;
}

/**
 * Opens the invalidation connection of `client` (a standalone Redis) and keeps tracking on
 * across reconnections of either connection.
 * @example
 * const tracking = startTracking(client); const near = tracking.nearCache('mos:{cache:quest}:', 1000);
 */
export function startTracking(client: Redis): Tracking {
  // Resubscribed by enable() itself: CLIENT ID must be asked before the connection subscribes.
  const sub = client.duplicate({ commandTimeout: undefined, autoResubscribe: false });
  sub.on('error', () => {});
  const caches: Array<{ prefix: string; near: NearCacheImpl }> = [];
  let epoch = 0;
  let active = false;
  let closed = false;

  function lapse(): void {
    epoch++;
    active = false;
    for (const c of caches) c.near.invalidateAll();
  }

  /** The invalidation connection's id while it is connected and subscribed. */
  let subId: string | undefined;
  async function enable(): Promise<void> {
    const started = epoch;
    if (closed || active || client.status !== 'ready' || sub.status !== 'ready') return;
    try {
      if (subId === undefined) {
        // CLIENT ID first: a subscribed RESP2 connection accepts only (un)subscribe commands.
        const id = String(await sub.client('ID'));
        await sub.subscribe('__redis__:invalidate');
        if (epoch !== started) return;
        subId = id;
      }
      await client.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', subId, 'OPTIN');
      if (epoch === started && !closed) active = true;
    } catch {
      // Stays inactive: every read goes to Redis until the next (re)connection enables it.
    }
  }
  // One enable at a time, in order: each sees what the previous one did.
  let enabling: Promise<void> = Promise.resolve();
  const requestEnable = () => {
    enabling = enabling.then(enable);
  };

  for (const connection of [client, sub]) {
    connection.on('close', lapse);
    connection.on('end', lapse);
    connection.on('ready', requestEnable);
  }
  sub.on('close', () => {
    subId = undefined;
  });
  sub.on('messageBuffer', (channel: Buffer, keys: unknown) => {
    if (channel.toString() !== '__redis__:invalidate') return;
    // A null payload is a FLUSHALL/FLUSHDB: everything goes.
    if (!Array.isArray(keys)) {
      for (const c of caches) c.near.invalidateAll();
      return;
    }
    for (const raw of keys as Buffer[]) {
      const key = raw.toString();
      for (const c of caches) {
        if (key.startsWith(c.prefix)) c.near.invalidate(key.slice(c.prefix.length));
      }
    }
  });
  requestEnable();

  const tracking: Tracking = {
    get active() {
      return active;
    },
    get epoch() {
      return epoch;
    },
    nearCache(entryPrefix, maxEntries) {
      const near = new NearCacheImpl(tracking, maxEntries);
      caches.push({ prefix: entryPrefix, near });
      return near;
    },
    async close() {
      closed = true;
      lapse();
      // The data connection may be a client the caller owns and keeps using.
      if (client.status === 'ready') await client.call('CLIENT', 'TRACKING', 'OFF').catch(() => {});
      try {
        await sub.quit();
      } catch {
        sub.disconnect();
      }
    },
  };
  return tracking;
}

class NearCacheImpl implements NearCache {
  private readonly entries = new Map<string, NearEntry>();
  private readonly fills = new Map<string, Fill>();

  constructor(
    private readonly tracking: Tracking,
    private readonly maxEntries: number,
  ) {}

  lookup(member: string): Buffer | undefined {
    if (!this.tracking.active) return undefined;
    const entry = this.entries.get(member);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= performance.now()) {
      this.entries.delete(member);
      return undefined;
    }
    return entry.bytes;
  }

  beginFill(member: string) {
    if (!this.tracking.active || this.fills.has(member)) return undefined;
    const fill: Fill = { dirty: false };
    this.fills.set(member, fill);
    return { fill, epoch: this.tracking.epoch, sentAt: performance.now() };
  }

  endFill(
    member: string,
    begun: { fill: Fill; epoch: number; sentAt: number },
    bytes: Buffer | null,
    pttl: number,
  ) {
    if (this.fills.get(member) === begun.fill) this.fills.delete(member);
    if (begun.fill.dirty || begun.epoch !== this.tracking.epoch || !this.tracking.active) return;
    // Only entries with a TTL are ours; the deadline counts from the send, so it is never late.
    if (bytes === null || pttl <= 0) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(member)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // A copy: a reply may be a view of a much larger socket read.
    this.entries.set(member, { bytes: Buffer.from(bytes), expiresAt: begun.sentAt + pttl });
  }

  invalidate(member: string): void {
    this.entries.delete(member);
    const fill = this.fills.get(member);
    if (fill) fill.dirty = true;
  }

  invalidateAll(): void {
    this.entries.clear();
    for (const fill of this.fills.values()) fill.dirty = true;
  }
}
