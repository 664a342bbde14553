// The read path of one namespace: `get`, and the first try of `getOrSet` (a plain hit). A hit is
// one GET (or, with a near cache, often no round trip), decoded, and recorded in memory by the
// read tracker; `readTracking: 'inline'` records it in the read script instead. A miss, corrupt
// bytes (deleted, counted) and Redis errors (counted) all read as undefined.
import { CORRUPT, decodeValue } from '../codec.js';
import type { LocalPolicyCounters } from './local-counters.js';
import type { NearCache } from './near-cache.js';
import type { PendingInvalidations } from './write-through.js';

/** The Redis reads of a namespace (NamespaceCommands). */
export interface EntryReads {
  /** GET of the entry. */
  get(member: string): Promise<Buffer | null>;
  /** GET and the access recorded, in one script call (`readTracking: 'inline'`). */
  getRecorded(member: string): Promise<Buffer | null>;
  /** A near-cache fill: the bytes, and the PTTL when Redis now tracks the key for us (else 0). */
  getTracked(member: string): Promise<{ bytes: Buffer | null; pttl: number }>;
  /** Deletes a corrupt entry, best effort. */
  drop(member: string): void;
}

/** Where batched reads are recorded (ReadTracker). */
export interface ReadRecorder {
  hit(member: string): void;
  miss(): void;
}

export interface ReadPathOptions {
  /** False while Redis is known to be down: reads return undefined without a round trip. */
  availability: { readonly up: boolean };
  redis: EntryReads;
  reads: ReadRecorder;
  /** Write-through members whose entries must be invalidated before they are read. */
  pending: PendingInvalidations;
  /** `inline`: reads are recorded by the read script, not by `reads`. */
  readTracking: 'batched' | 'inline';
  near?: NearCache | undefined;
  counters: Pick<LocalPolicyCounters, 'nearHits' | 'corrupt' | 'redisErrors'>;
}

/**
 * The reads of one namespace; `V` is its value type.
 * @example
 * const path = new ReadPath<QuestDefinition>({ availability, redis: commands, reads, pending, readTracking: 'batched', counters });
 * await path.get('q1'); // GET mos:{cache:quest}:q1, the hit recorded for the next flush
 */
export class ReadPath<V> {
  readonly #availability: { readonly up: boolean };
  readonly #redis: EntryReads;
  readonly #reads: ReadRecorder;
  readonly #pending: PendingInvalidations;
  readonly #inline: boolean;
  readonly #near: NearCache | undefined;
  readonly #counters: Pick<LocalPolicyCounters, 'nearHits' | 'corrupt' | 'redisErrors'>;
  readonly #onError = (): undefined => {
    this.#counters.redisErrors++;
    return undefined;
  };

  constructor(options: ReadPathOptions) {
    this.#availability = options.availability;
    this.#redis = options.redis;
    this.#reads = options.reads;
    this.#pending = options.pending;
    this.#inline = options.readTracking === 'inline';
    this.#near = options.near;
    this.#counters = options.counters;
  }

  /** Reads an entry; undefined for a miss, corrupt bytes or Redis trouble. Never rejects. */
  get(member: string): Promise<V | undefined> {
    // No extra await layers on the hit path: one GET, decode, the read recorded in memory.
    if (!this.#availability.up) return Promise.resolve(undefined);
    if (this.#pending.pendingCount > 0) return this.#slowGet(member);
    if (this.#inline) {
      return this.#redis.getRecorded(member).then((reply) => this.#inlineHit(member, reply), this.#onError);
    }
    if (this.#near) return this.#nearGet(member).catch(this.#onError);
    return this.#redis
      .get(member)
      .then((bytes) => (bytes === null ? this.#missed() : this.#hit(member, bytes)), this.#onError);
  }

  /**
   * getOrSet's first try, with batched tracking: a hit (recorded), else undefined (a miss is left
   * to the lookup script, except through the near cache). Rejects on Redis errors.
   */
  hitBeforeLoad(member: string): Promise<V | undefined> {
    if (this.#near) return this.#nearGet(member);
    return this.#redis.get(member).then((bytes) => (bytes === null ? undefined : this.#hit(member, bytes)));
  }

  /** Decodes an entry's bytes; corrupt bytes are deleted (best effort), counted and returned as CORRUPT. */
  decode(member: string, bytes: Buffer): V | typeof CORRUPT {
    const value = decodeValue(bytes);
    if (value === CORRUPT) {
      this.#counters.corrupt++;
      this.#near?.invalidate(member);
      this.#redis.drop(member);
    }
    return value as V | typeof CORRUPT;
  }

  /**
   * A read through the near cache: a live entry is decoded without a round trip; otherwise one
   * pipeline `CLIENT CACHING YES` (track this key) + GET + PTTL, whose result is kept unless
   * something invalidated the key (or tracking lapsed) while it was in flight.
   */
  async #nearGet(member: string): Promise<V | undefined> {
    const near = this.#near!;
    const cached = near.lookup(member);
    if (cached !== undefined) {
      const value = decodeValue(cached) as V;
      this.#counters.nearHits++;
      this.#reads.hit(member);
      return value;
    }
    const begun = near.beginFill(member);
    if (begun === undefined) {
      const bytes = await this.#redis.get(member);
      return bytes === null ? this.#missed() : this.#hit(member, bytes);
    }
    let fill: { bytes: Buffer | null; pttl: number };
    try {
      fill = await this.#redis.getTracked(member);
    } catch (error) {
      near.endFill(member, begun, null, 0);
      throw error;
    }
    if (fill.bytes === null) {
      near.endFill(member, begun, null, 0);
      return this.#missed();
    }
    const value = this.#hit(member, fill.bytes);
    near.endFill(member, begun, value === undefined ? null : fill.bytes, fill.pttl);
    return value;
  }

  /** A read while write-through invalidations are pending: this member's goes first. */
  async #slowGet(member: string): Promise<V | undefined> {
    try {
      if (this.#pending.isPending(member)) await this.#pending.flushPending(member);
      if (!this.#inline) {
        const bytes = await this.#redis.get(member);
        return bytes === null ? this.#missed() : this.#hit(member, bytes);
      }
      return this.#inlineHit(member, await this.#redis.getRecorded(member));
    } catch {
      return this.#onError();
    }
  }

  #missed(): undefined {
    this.#reads.miss();
    return undefined;
  }

  #hit(member: string, bytes: Buffer): V | undefined {
    const value = this.decode(member, bytes);
    if (value === CORRUPT) return undefined;
    this.#reads.hit(member);
    return value;
  }

  #inlineHit(member: string, reply: Buffer | null): V | undefined {
    if (reply === null) return undefined;
    const value = this.decode(member, reply);
    return value === CORRUPT ? undefined : value;
  }
}
