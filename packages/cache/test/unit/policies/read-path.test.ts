import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../../src/codec.js';
import { newLocalCounters } from '../../../src/policies/local-counters.js';
import type { NearCache } from '../../../src/policies/near-cache.js';
import { type EntryReads, ReadPath } from '../../../src/policies/read-path.js';
import type { PendingInvalidations } from '../../../src/policies/write-through.js';

type Quest = { title: string };
const bytesOf = (value: Quest) => encodeValue(value, { format: 'auto', compressAboveBytes: 1024 });
const NOT_OURS = Buffer.from('plain text another client wrote');

/** An in-memory stand-in for the namespace's entries, recording each call. */
class FakeEntries implements EntryReads {
  readonly entries = new Map<string, Buffer>();
  readonly calls: string[] = [];
  fail = false;
  tracked = true;

  async get(member: string) {
    this.calls.push(`get ${member}`);
    if (this.fail) throw new Error('connection lost');
    return this.entries.get(member) ?? null;
  }
  async getRecorded(member: string) {
    this.calls.push(`getRecorded ${member}`);
    if (this.fail) throw new Error('connection lost');
    return this.entries.get(member) ?? null;
  }
  async getTracked(member: string) {
    this.calls.push(`getTracked ${member}`);
    if (this.fail) throw new Error('connection lost');
    return { bytes: this.entries.get(member) ?? null, pttl: this.tracked ? 60_000 : 0 };
  }
  drop(member: string) {
    this.calls.push(`drop ${member}`);
    this.entries.delete(member);
  }
}

/** A near cache without tracking connection: keeps what a fill returns with a TTL. */
class FakeNear implements NearCache {
  readonly entries = new Map<string, Buffer>();
  lookup(member: string) {
    return this.entries.get(member);
  }
  beginFill() {
    return { fill: { dirty: false }, epoch: 0, sentAt: 0 };
  }
  endFill(member: string, begun: { fill: { dirty: boolean } }, bytes: Buffer | null, pttl: number) {
    if (!begun.fill.dirty && bytes !== null && pttl > 0) this.entries.set(member, bytes);
  }
  invalidate(member: string) {
    this.entries.delete(member);
  }
  invalidateAll() {
    this.entries.clear();
  }
}

function setup(options: { readTracking?: 'batched' | 'inline'; near?: boolean; pending?: string[] } = {}) {
  const redis = new FakeEntries();
  const recorded: string[] = [];
  const pendingSet = new Set(options.pending ?? []);
  const pending: PendingInvalidations = {
    get pendingCount() {
      return pendingSet.size;
    },
    isPending: (member) => pendingSet.has(member),
    async flushPending(member) {
      redis.calls.push(`invalidate ${member}`);
      redis.entries.delete(member);
      pendingSet.delete(member);
    },
  };
  const availability = { up: true };
  const counters = newLocalCounters();
  const near = options.near ? new FakeNear() : undefined;
  const path = new ReadPath<Quest>({
    availability,
    redis,
    reads: { hit: (member) => recorded.push(`hit ${member}`), miss: () => recorded.push('miss') },
    pending,
    readTracking: options.readTracking ?? 'batched',
    near,
    counters,
  });
  return { path, redis, recorded, availability, counters, near, pendingSet };
}

describe('ReadPath', () => {
  it('a hit is one GET, decoded, and recorded as a hit of the member', async () => {
    const { path, redis, recorded } = setup();
    redis.entries.set('q1', bytesOf({ title: 'Closures' }));
    expect(await path.get('q1')).toEqual({ title: 'Closures' });
    expect(redis.calls).toEqual(['get q1']);
    expect(recorded).toEqual(['hit q1']);
  });

  it('a miss reads as undefined and is recorded as a miss', async () => {
    const { path, recorded } = setup();
    expect(await path.get('q1')).toBeUndefined();
    expect(recorded).toEqual(['miss']);
  });

  it('bytes that are not ours read as a miss, are counted and deleted', async () => {
    const { path, redis, recorded, counters } = setup();
    redis.entries.set('q1', NOT_OURS);
    expect(await path.get('q1')).toBeUndefined();
    expect(counters.corrupt).toBe(1);
    expect(redis.calls).toEqual(['get q1', 'drop q1']);
    expect(recorded).toEqual([]);
  });

  it('a Redis error reads as undefined and is counted, never rejected', async () => {
    const { path, redis, counters } = setup();
    redis.fail = true;
    expect(await path.get('q1')).toBeUndefined();
    expect(counters.redisErrors).toBe(1);
  });

  it('while Redis is down, reads return undefined without a call', async () => {
    const { path, redis, availability } = setup();
    availability.up = false;
    expect(await path.get('q1')).toBeUndefined();
    expect(redis.calls).toEqual([]);
  });

  it('with inline tracking, the read script records the access (nothing recorded in memory)', async () => {
    const { path, redis, recorded } = setup({ readTracking: 'inline' });
    redis.entries.set('q1', bytesOf({ title: 'Closures' }));
    expect(await path.get('q1')).toEqual({ title: 'Closures' });
    expect(await path.get('q2')).toBeUndefined();
    expect(redis.calls).toEqual(['getRecorded q1', 'getRecorded q2']);
    expect(recorded).toEqual([]);
  });

  it("invalidates a pending write-through member's entry before reading it", async () => {
    const { path, redis, pendingSet } = setup({ pending: ['q1'] });
    redis.entries.set('q1', bytesOf({ title: 'old' }));
    expect(await path.get('q1')).toBeUndefined();
    expect(redis.calls).toEqual(['invalidate q1', 'get q1']);
    expect(pendingSet.size).toBe(0);
  });

  it('reads other members normally while one is pending', async () => {
    const { path, redis, recorded } = setup({ pending: ['q1'] });
    redis.entries.set('q2', bytesOf({ title: 'Loops' }));
    expect(await path.get('q2')).toEqual({ title: 'Loops' });
    expect(redis.calls).toEqual(['get q2']);
    expect(recorded).toEqual(['hit q2']);
  });

  it('through a near cache, the first read fills it and repeated hits make no round trip', async () => {
    const { path, redis, recorded, counters } = setup({ near: true });
    redis.entries.set('q1', bytesOf({ title: 'Closures' }));
    expect(await path.get('q1')).toEqual({ title: 'Closures' });
    const first = await path.get('q1');
    const second = await path.get('q1');
    expect(second).toEqual({ title: 'Closures' });
    expect(second).not.toBe(first); // decoded per read: callers never share an object
    expect(redis.calls).toEqual(['getTracked q1']);
    expect(counters.nearHits).toBe(2);
    expect(recorded).toEqual(['hit q1', 'hit q1', 'hit q1']);
  });

  it('keeps nothing in the near cache when Redis did not start tracking the key', async () => {
    const { path, redis, near } = setup({ near: true });
    redis.tracked = false;
    redis.entries.set('q1', bytesOf({ title: 'Closures' }));
    await path.get('q1');
    expect(near!.entries.size).toBe(0);
  });

  it('never keeps corrupt bytes in the near cache', async () => {
    const { path, redis, near, counters } = setup({ near: true });
    redis.entries.set('q1', NOT_OURS);
    expect(await path.get('q1')).toBeUndefined();
    expect(near!.entries.size).toBe(0);
    expect(counters.corrupt).toBe(1);
  });

  it("getOrSet's first try returns a hit, leaves misses unrecorded for the lookup script, and rejects on errors", async () => {
    const { path, redis, recorded } = setup();
    redis.entries.set('q1', bytesOf({ title: 'Closures' }));
    expect(await path.hitBeforeLoad('q1')).toEqual({ title: 'Closures' });
    expect(await path.hitBeforeLoad('q2')).toBeUndefined();
    expect(recorded).toEqual(['hit q1']);
    redis.fail = true;
    await expect(path.hitBeforeLoad('q1')).rejects.toThrow('connection lost');
  });
});
