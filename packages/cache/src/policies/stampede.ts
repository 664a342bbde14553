// Stampede control of getOrSet. Concurrent misses of one member run the loader once per process
// (single flight) and once across processes: the lookup script takes a Redis lease on a miss, and
// a process that finds another's lease polls for its value (backing off, bounded by the lease
// time) before loading without caching. A hit in its stale window is served and refreshed once,
// in the background, under a lease. Redis errors never escape; loader errors do.
import { randomUUID } from 'node:crypto';
import type { LocalPolicyCounters } from './local-counters.js';

/** A loader's lease: its token, and the namespace generation its lookup saw (bumped by clear/invalidateTag). */
export interface Lease {
  token: string;
  generation: string;
}

/** What the lookup found: a hit (with its PTTL), or a miss whose lease was taken (`leased`) or is another's. */
export type Lookup<V> =
  | { hit: true; value: V; pttl: number; generation: string }
  | { hit: false; leased: boolean; generation: string };

/** The Redis side of stampede control. */
export interface LeasePort<V> {
  /** Reads the entry; on a miss, takes the lease with `token` for `leaseMs` unless another holds it. */
  lookup(member: string, token: string, leaseMs: number): Promise<Lookup<V>>;
  /** Takes the lease for a background refresh; false when another holds it. */
  takeLease(member: string, token: string, leaseMs: number): Promise<boolean>;
  /** Releases the lease if `token` still holds it. Never rejects. */
  releaseLease(member: string, token: string): Promise<void>;
}

/** Time, for the lease deadline and the backoff between polls. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One getOrSet that missed: how to load the value and how to cache it. */
export interface LoadRequest<V> {
  loader: () => Promise<V>;
  /** The stale window in ms: a hit with at most this much PTTL left is refreshed in the background. */
  swrMs: number;
  /** Encodes and writes the loaded value, conditional on `lease`. Throws only for a value the cache refuses. */
  store(value: V, lease: Lease): Promise<void>;
}

type StampedeCounters = Pick<
  LocalPolicyCounters,
  'loads' | 'staleServed' | 'skippedWrites' | 'redisErrors' | 'leaseWaits'
>;

export interface StampedeOptions {
  /** False while Redis is known to be down: load without looking up or caching. */
  availability: { readonly up: boolean };
  /** How long a lease holds, in ms; also the longest wait for another process's load. */
  leaseMs: number;
  counters: StampedeCounters;
  /** @default systemClock */
  clock?: Clock;
}

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

/**
 * The loads in flight of one namespace.
 * @example
 * const stampede = new Stampede(port, { availability, leaseMs: 5000, counters });
 * await stampede.load('q1', { loader, swrMs: 0, store }); // one loader call for any number of callers
 */
export class Stampede<V> {
  /** member → the load in progress in this process. */
  readonly #flights = new Map<string, Promise<V>>();
  /** Members with a background refresh in progress. */
  readonly #refreshing = new Set<string>();
  readonly #tokenBase = randomUUID();
  #tokens = 0;
  readonly #port: LeasePort<V>;
  readonly #availability: { readonly up: boolean };
  readonly #leaseMs: number;
  readonly #counters: StampedeCounters;
  readonly #clock: Clock;

  constructor(port: LeasePort<V>, options: StampedeOptions) {
    this.#port = port;
    this.#availability = options.availability;
    this.#leaseMs = options.leaseMs;
    this.#counters = options.counters;
    this.#clock = options.clock ?? systemClock;
  }

  /** The load of `member` in progress in this process, to join. */
  inFlight(member: string): Promise<V> | undefined {
    return this.#flights.get(member);
  }

  /** A write replaced the value: later callers must not join a load that started before it. */
  forget(member: string): void {
    this.#flights.delete(member);
  }

  /** The same for every member (clear, tag invalidation). */
  forgetAll(): void {
    this.#flights.clear();
  }

  /** Resolves a miss of `member`, joined by every caller until it settles. */
  load(member: string, request: LoadRequest<V>): Promise<V> {
    const promise = this.#resolve(member, request).finally(() => {
      if (this.#flights.get(member) === promise) this.#flights.delete(member);
    });
    this.#flights.set(member, promise);
    return promise;
  }

  async #resolve(member: string, request: LoadRequest<V>): Promise<V> {
    const deadline = this.#clock.now() + this.#leaseMs;
    let delay = FIRST_POLL_MS;
    let waited = false;
    for (;;) {
      if (!this.#availability.up) {
        this.#counters.skippedWrites++;
        return this.#loadUncached(request.loader);
      }
      const token = this.#newToken();
      let found: Lookup<V>;
      try {
        found = await this.#port.lookup(member, token, this.#leaseMs);
      } catch {
        // Redis down or slow: behave as a miss, and skip the write that would follow.
        this.#counters.redisErrors++;
        this.#counters.skippedWrites++;
        return this.#loadUncached(request.loader);
      }
      if (found.hit) {
        if (request.swrMs > 0 && found.pttl >= 0 && found.pttl <= request.swrMs) {
          this.#counters.staleServed++;
          this.#refreshInBackground(member, request, found.generation);
        }
        return found.value;
      }
      if (found.leased) return this.#loadAndStore(member, request, { token, generation: found.generation });
      // Another process holds the lease: wait for its value, bounded by the lease time.
      if (!waited) {
        waited = true;
        this.#counters.leaseWaits++;
      }
      if (this.#clock.now() >= deadline) return this.#loadUncached(request.loader);
      await this.#clock.sleep(delay);
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }

  async #loadUncached(loader: () => Promise<V>): Promise<V> {
    this.#counters.loads++;
    return loader();
  }

  async #loadAndStore(member: string, request: LoadRequest<V>, lease: Lease): Promise<V> {
    // Awaited: when getOrSet returns or throws, other processes can take the lease at once.
    const release = () => this.#port.releaseLease(member, lease.token);
    let value: V;
    try {
      value = await this.#loadUncached(request.loader);
    } catch (error) {
      await release();
      throw error;
    }
    if (value === undefined) {
      await release();
      return value;
    }
    try {
      // The write deletes the lease itself (conditional on holding it).
      await request.store(value, lease);
    } catch (error) {
      await release();
      throw error;
    }
    return value;
  }

  #refreshInBackground(member: string, request: LoadRequest<V>, generation: string): void {
    if (this.#refreshing.has(member)) return;
    this.#refreshing.add(member);
    const token = this.#newToken();
    (async () => {
      if (!(await this.#port.takeLease(member, token, this.#leaseMs))) return;
      await this.#loadAndStore(member, request, { token, generation });
    })()
      .catch(() => {
        this.#counters.redisErrors++;
      })
      .finally(() => this.#refreshing.delete(member));
  }

  #newToken(): string {
    return `${this.#tokenBase}:${++this.#tokens}`;
  }
}
