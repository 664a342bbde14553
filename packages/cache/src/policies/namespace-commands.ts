// Every Redis call of one cache namespace, with its KEYS and ARGV (the scripts' headers say what
// each position means). The read path, stampede control and write-through reach Redis only
// through these methods; errors are not caught here.
import type { EncodedText } from '../codec.js';
import type { ScriptedClient } from '../connection.js';
import type { NamespaceKeys } from '../keys.js';
import type { PolicyConfig } from './namespaces.js';
import type { Lease } from './stampede.js';

/** The reply of the lookup script: bytes or null, then the PTTL (hit) or whether the lease was taken (miss), then the generation. */
export type LookupReply = [Buffer | null, number, Buffer];

/** The reply of the write script: 1 when written, then members it evicted (for the near cache). */
export type WriteReply = [number, number, string[] | undefined];

/**
 * The Redis commands of one namespace.
 * @example
 * const commands = new NamespaceCommands(client, namespaceKeys('mos:', 'cache:quest'), config);
 * await commands.get('q1'); // GET mos:{cache:quest}:q1
 */
export class NamespaceCommands {
  /** The strategy the scripts apply: write-through namespaces evict like LRU. */
  readonly strategy: 'lru' | 'lfu' | 'ttl';
  /** The expiry index: TTL-only namespaces keep expiries in the index itself. */
  readonly #expiries: string;
  readonly #maxSize: string;

  constructor(
    private readonly client: ScriptedClient,
    private readonly keys: NamespaceKeys,
    config: Pick<PolicyConfig, 'strategy' | 'maxSize'>,
  ) {
    this.strategy = config.strategy === 'write-through' ? 'lru' : config.strategy;
    this.#expiries = config.strategy === 'ttl' ? keys.index : keys.expiries;
    this.#maxSize = String(config.maxSize);
  }

  /** The Redis key of a member's entry. */
  entryKey(member: string): string {
    return this.keys.entryPrefix + member;
  }

  /** GET of the entry. */
  get(member: string): Promise<Buffer | null> {
    return this.client.getBuffer(this.keys.entryPrefix + member);
  }

  /** The inline-tracked read: GET and the access recorded, in one script call. */
  getRecorded(member: string): Promise<Buffer | null> {
    const { entryPrefix, index, stats } = this.keys;
    return this.client.mosCacheReadBuffer(
      entryPrefix + member,
      index,
      stats,
      member,
      this.strategy,
    ) as Promise<Buffer | null>;
  }

  /**
   * A near-cache fill: `CLIENT CACHING YES` (track this key) + GET + PTTL in one pipeline. `pttl`
   * is 0 when tracking did not take (nothing may be kept then). Rejects when the GET failed.
   */
  async getTracked(member: string): Promise<{ bytes: Buffer | null; pttl: number }> {
    const key = this.keys.entryPrefix + member;
    const results = await this.client
      .pipeline()
      .call('CLIENT', 'CACHING', 'YES')
      .getBuffer(key)
      .pttl(key)
      .exec();
    const [caching, got, pttl] = results ?? [];
    if (!got || got[0]) throw got?.[0] ?? new Error('near cache fill: no reply');
    const tracked = caching !== undefined && caching[0] === null && pttl !== undefined && pttl[0] === null;
    return { bytes: got[1] as Buffer | null, pttl: tracked ? Number(pttl[1]) : 0 };
  }

  /** The lookup of getOrSet: on a miss, takes the lease with `token` unless another holds it. */
  lookup(member: string, token: string, leaseMs: number): Promise<LookupReply> {
    const { entryPrefix, tagPrefix } = this.keys;
    return this.client.mosCacheGetBuffer(
      ...this.#keysOf(member),
      member,
      this.strategy,
      '1',
      token,
      String(leaseMs),
      entryPrefix,
      tagPrefix,
    ) as Promise<LookupReply>;
  }

  /** Takes the lease of a background refresh (`SET NX PX`). */
  async takeLease(member: string, token: string, leaseMs: number): Promise<boolean> {
    return (await this.client.set(this.keys.leasePrefix + member, token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  /** Releases the lease if `token` still holds it; never rejects. */
  async releaseLease(member: string, token: string): Promise<void> {
    await this.client.mosLeaseRelease(this.keys.leasePrefix + member, token).catch(() => {});
  }

  /**
   * Writes an entry (evicting past max size), first applying `reads` (see ReadTracker.drain);
   * with `lease`, only if it still holds the lease and the generation is unchanged.
   */
  write(
    member: string,
    encoded: Buffer | EncodedText,
    ttlMs: number,
    tags: string[],
    lease: Lease | undefined,
    reads: string[],
  ): Promise<WriteReply> {
    const { entryPrefix, tagPrefix } = this.keys;
    return this.client.mosCacheSet(
      ...this.#keysOf(member),
      member,
      ...(Buffer.isBuffer(encoded) ? [encoded, ''] : [encoded.text, String(encoded.flags)]),
      String(ttlMs),
      this.strategy,
      this.#maxSize,
      entryPrefix,
      tagPrefix,
      lease?.token ?? '',
      lease?.generation ?? '',
      String(tags.length),
      ...tags,
      ...reads,
    ) as Promise<WriteReply>;
  }

  /** Deletes an entry with its index, tags and lease. Resolves to 1 when it existed. */
  delete(member: string): Promise<number> {
    const { entryPrefix, tagPrefix } = this.keys;
    return this.client.mosCacheDelete(
      ...this.#keysOf(member),
      member,
      entryPrefix,
      tagPrefix,
    ) as Promise<number>;
  }

  /** Deletes an entry best effort (a corrupt one): not awaited, errors ignored. */
  drop(member: string): void {
    this.delete(member).catch(() => {});
  }

  /** Sends batched reads (see ReadTracker.drain). */
  sendReads(args: string[]): Promise<unknown> {
    return this.client.mosCacheReads(this.keys.index, this.keys.stats, this.strategy, ...args);
  }

  /** Deletes every entry carrying the (escaped) tag. Resolves to how many. */
  invalidateTag(escapedTag: string): Promise<number> {
    const { index, stats, memberTags, tagPrefix, entryPrefix } = this.keys;
    return this.client.mosCacheInvalidateTag(
      index,
      this.#expiries,
      stats,
      memberTags,
      tagPrefix + escapedTag,
      entryPrefix,
      tagPrefix,
    ) as Promise<number>;
  }

  /** Deletes up to 500 entries; `first` bumps the generation. Resolves to [removed, remaining]. */
  clearBatch(first: boolean): Promise<[number, number]> {
    const { index, stats, memberTags, entryPrefix, tagPrefix } = this.keys;
    return this.client.mosCacheClear(
      index,
      this.#expiries,
      stats,
      memberTags,
      entryPrefix,
      tagPrefix,
      '500',
      first ? '1' : '0',
    ) as Promise<[number, number]>;
  }

  #keysOf(member: string): string[] {
    const { entryPrefix, index, stats, memberTags, leasePrefix } = this.keys;
    return [entryPrefix + member, index, this.#expiries, stats, memberTags, leasePrefix + member];
  }
}
