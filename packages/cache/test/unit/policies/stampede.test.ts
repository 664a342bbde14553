import { describe, expect, it, vi } from 'vitest';
import type { LocalPolicyCounters } from '../../../src/policies/local-counters.js';
import { newLocalCounters } from '../../../src/policies/local-counters.js';
import {
  type Clock,
  type Lease,
  type LeasePort,
  type LoadRequest,
  type Lookup,
  Stampede,
} from '../../../src/policies/stampede.js';

/** An in-memory stand-in for the namespace's entries and leases (the scripts' semantics). */
class FakeLeases implements LeasePort<string> {
  failLookups = false;
  lookups = 0;
  readonly entries = new Map<string, { value: string; pttl: number }>();
  /** member → the token holding its lease. */
  readonly leases = new Map<string, string>();
  readonly stored: Array<{ member: string; value: string; lease: Lease }> = [];

  async lookup(member: string, token: string): Promise<Lookup<string>> {
    this.lookups++;
    if (this.failLookups) throw new Error('connection lost');
    const entry = this.entries.get(member);
    if (entry) return { hit: true, value: entry.value, pttl: entry.pttl, generation: '0' };
    if (this.leases.has(member)) return { hit: false, leased: false, generation: '0' };
    this.leases.set(member, token);
    return { hit: false, leased: true, generation: '0' };
  }

  async takeLease(member: string, token: string): Promise<boolean> {
    if (this.leases.has(member)) return false;
    this.leases.set(member, token);
    return true;
  }

  async releaseLease(member: string, token: string): Promise<void> {
    if (this.leases.get(member) === token) this.leases.delete(member);
  }

  /** The write script with a lease: only while the lease is held; the write frees it. */
  store(member: string, value: string, lease: Lease): void {
    if (this.leases.get(member) !== lease.token) return;
    this.leases.delete(member);
    this.entries.set(member, { value, pttl: 60_000 });
    this.stored.push({ member, value, lease });
  }
}

/** Virtual time: sleeping advances it at once; `onSleep` runs after each sleep. */
function virtualClock(onSleep: (sleeps: number[]) => void = () => {}) {
  let now = 0;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      onSleep(sleeps);
    },
  };
  return { clock, sleeps };
}

function setup(options: { leaseMs?: number; onSleep?: (sleeps: number[]) => void } = {}) {
  const port = new FakeLeases();
  const availability = { up: true };
  const counters: LocalPolicyCounters = newLocalCounters();
  const { clock, sleeps } = virtualClock(options.onSleep);
  const stampede = new Stampede<string>(port, {
    availability,
    leaseMs: options.leaseMs ?? 5_000,
    counters,
    clock,
  });
  const request = (
    loader: () => Promise<string>,
    swrMs = 0,
    member = 'q1',
  ): LoadRequest<string> & { loader: ReturnType<typeof vi.fn> } => {
    const spy = vi.fn(loader);
    return {
      loader: spy,
      swrMs,
      store: async (value, lease) => port.store(member, value, lease),
    };
  };
  return { port, availability, counters, stampede, sleeps, request };
}

describe('Stampede', () => {
  it('runs the loader once for callers joining the load in flight, and caches under the lease it took', async () => {
    const { port, counters, stampede, request } = setup();
    let finish!: (value: string) => void;
    const req = request(() => new Promise<string>((resolve) => (finish = resolve)));
    const first = stampede.load('q1', req);
    const joined = stampede.inFlight('q1');
    expect(joined).toBe(first);
    await vi.waitFor(() => expect(req.loader).toHaveBeenCalledTimes(1));
    finish('quest one');
    expect(await first).toBe('quest one');
    expect(await joined).toBe('quest one');
    expect(req.loader).toHaveBeenCalledTimes(1);
    expect(counters.loads).toBe(1);
    expect(port.stored).toHaveLength(1);
    expect(port.stored[0]!.value).toBe('quest one');
    expect(port.leases.has('q1')).toBe(false);
    expect(stampede.inFlight('q1')).toBeUndefined();
  });

  it('returns a cached value without loading', async () => {
    const { port, counters, stampede, request } = setup();
    port.entries.set('q1', { value: 'cached', pttl: 60_000 });
    const req = request(async () => 'loaded');
    expect(await stampede.load('q1', req)).toBe('cached');
    expect(req.loader).not.toHaveBeenCalled();
    expect(counters.loads).toBe(0);
  });

  it('serves a value in its stale window and refreshes it once in the background, however many read it', async () => {
    const { port, counters, stampede, request } = setup();
    port.entries.set('q1', { value: 'old', pttl: 500 });
    let finish!: (value: string) => void;
    const req = request(() => new Promise<string>((resolve) => (finish = resolve)), 1_000);
    expect(await stampede.load('q1', req)).toBe('old');
    expect(await stampede.load('q1', req)).toBe('old');
    expect(counters.staleServed).toBe(2);
    await vi.waitFor(() => expect(req.loader).toHaveBeenCalledTimes(1));
    finish('new');
    await vi.waitFor(() => expect(port.entries.get('q1')?.value).toBe('new'));
    expect(req.loader).toHaveBeenCalledTimes(1);
    expect(port.leases.has('q1')).toBe(false);
    expect(await stampede.load('q1', req)).toBe('new');
  });

  it('does not refresh a hit outside the stale window', async () => {
    const { port, counters, stampede, request } = setup();
    port.entries.set('q1', { value: 'fresh', pttl: 5_000 });
    const req = request(async () => 'new', 1_000);
    expect(await stampede.load('q1', req)).toBe('fresh');
    expect(counters.staleServed).toBe(0);
    expect(req.loader).not.toHaveBeenCalled();
  });

  it("waits for another process's load, polling with a doubling delay, and returns its value", async () => {
    const { port, counters, stampede, sleeps, request } = setup({
      onSleep: (s) => {
        if (s.length === 3) port.entries.set('q1', { value: 'theirs', pttl: 60_000 });
      },
    });
    port.leases.set('q1', 'other-process');
    const req = request(async () => 'ours');
    expect(await stampede.load('q1', req)).toBe('theirs');
    expect(sleeps).toEqual([5, 10, 20]);
    expect(counters.leaseWaits).toBe(1);
    expect(req.loader).not.toHaveBeenCalled();
  });

  it('loads without caching once the lease time has passed', async () => {
    const { port, counters, stampede, sleeps, request } = setup({ leaseMs: 300 });
    port.leases.set('q1', 'stuck-process');
    const req = request(async () => 'ours');
    expect(await stampede.load('q1', req)).toBe('ours');
    expect(sleeps).toEqual([5, 10, 20, 40, 80, 100, 100]);
    expect(counters.leaseWaits).toBe(1);
    expect(counters.loads).toBe(1);
    expect(port.stored).toEqual([]);
    expect(port.leases.get('q1')).toBe('stuck-process');
  });

  it('loads without caching when the lookup fails, counting the error and the skipped write', async () => {
    const { port, counters, stampede, request } = setup();
    port.failLookups = true;
    expect(
      await stampede.load(
        'q1',
        request(async () => 'loaded'),
      ),
    ).toBe('loaded');
    expect(counters).toMatchObject({ redisErrors: 1, skippedWrites: 1, loads: 1 });
    expect(port.stored).toEqual([]);
  });

  it('loads without looking up while Redis is down', async () => {
    const { port, availability, counters, stampede, request } = setup();
    availability.up = false;
    expect(
      await stampede.load(
        'q1',
        request(async () => 'loaded'),
      ),
    ).toBe('loaded');
    expect(port.lookups).toBe(0);
    expect(counters).toMatchObject({ skippedWrites: 1, loads: 1 });
  });

  it("releases the lease and rejects with the loader's error", async () => {
    const { port, stampede, request } = setup();
    const boom = new Error('source unavailable');
    await expect(
      stampede.load(
        'q1',
        request(async () => Promise.reject(boom)),
      ),
    ).rejects.toBe(boom);
    expect(port.leases.has('q1')).toBe(false);
    expect(stampede.inFlight('q1')).toBeUndefined();
  });

  it('releases the lease and caches nothing when the loader finds nothing', async () => {
    const { port, stampede } = setup();
    const store = vi.fn(async () => {});
    const found = await stampede.load('q1', {
      loader: async () => undefined as unknown as string,
      swrMs: 0,
      store,
    });
    expect(found).toBeUndefined();
    expect(store).not.toHaveBeenCalled();
    expect(port.leases.has('q1')).toBe(false);
  });

  it('releases the lease and rejects when the cache refuses the loaded value', async () => {
    const { port, stampede } = setup();
    const refused = new Error('value: must be a document');
    const store = async () => Promise.reject(refused);
    await expect(stampede.load('q1', { loader: async () => 'x', swrMs: 0, store })).rejects.toBe(refused);
    expect(port.leases.has('q1')).toBe(false);
  });

  it('after forget, the next caller starts its own load instead of joining the older one', async () => {
    const { stampede, request } = setup();
    let finish!: (value: string) => void;
    const older = stampede.load(
      'q1',
      request(() => new Promise<string>((resolve) => (finish = resolve))),
    );
    stampede.forget('q1');
    expect(stampede.inFlight('q1')).toBeUndefined();
    const newer = stampede.load(
      'q2',
      request(async () => 'q2 value', 0, 'q2'),
    );
    stampede.forgetAll();
    expect(stampede.inFlight('q2')).toBeUndefined();
    expect(await newer).toBe('q2 value');
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
    finish('stale');
    expect(await older).toBe('stale');
    expect(stampede.inFlight('q1')).toBeUndefined();
  });

  it('counts a failed background refresh and never throws it', async () => {
    const { port, counters, stampede, request } = setup();
    port.entries.set('q1', { value: 'old', pttl: 100 });
    const req = request(async () => Promise.reject(new Error('source down')), 1_000);
    expect(await stampede.load('q1', req)).toBe('old');
    await vi.waitFor(() => expect(counters.redisErrors).toBe(1));
    expect(port.leases.has('q1')).toBe(false);
  });
});
