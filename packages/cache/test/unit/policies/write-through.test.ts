import { describe, expect, it, vi } from 'vitest';
import { WriteThrough } from '../../../src/policies/write-through.js';

/** Records the order of every step, and lets a test hold a source write open. */
function setup(options: { invalidateFails?: (member: string) => boolean } = {}) {
  const steps: string[] = [];
  const writes = new WriteThrough({
    async invalidate(member) {
      if (options.invalidateFails?.(member)) throw new Error('connection lost');
      steps.push(`invalidate ${member}`);
    },
    forgetLoad: (member) => steps.push(`forget ${member}`),
  });
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  };
  return { writes, steps, gate };
}

describe('WriteThrough', () => {
  it('writes the source, then the cache, dropping loads in flight before and after the source write', async () => {
    const { writes, steps } = setup();
    await writes.write(
      'u1',
      async () => {
        steps.push('source');
      },
      async () => {
        steps.push('cache');
        return true;
      },
    );
    expect(steps).toEqual(['forget u1', 'source', 'forget u1', 'cache']);
    expect(writes.pendingCount).toBe(0);
  });

  it('runs the writes of one member one after the other, and of different members side by side', async () => {
    const { writes, steps, gate } = setup();
    const first = gate();
    const a1 = writes.write(
      'u1',
      async () => {
        steps.push('u1 source 1 begins');
        await first.opened;
        steps.push('u1 source 1 ends');
      },
      async () => true,
    );
    const a2 = writes.write(
      'u1',
      async () => {
        steps.push('u1 source 2');
      },
      async () => true,
    );
    const b = writes.write(
      'u2',
      async () => {
        steps.push('u2 source');
      },
      async () => true,
    );
    await b;
    expect(steps.filter((s) => !s.startsWith('forget'))).toEqual(['u1 source 1 begins', 'u2 source']);
    first.open();
    await Promise.all([a1, a2]);
    expect(steps.filter((s) => s.startsWith('u1'))).toEqual([
      'u1 source 1 begins',
      'u1 source 1 ends',
      'u1 source 2',
    ]);
  });

  it("rejects with the source's error, leaves the cache alone, and the next write of the member still runs", async () => {
    const { writes, steps } = setup();
    const cache = vi.fn(async () => true);
    const boom = new Error('constraint violated');
    const failed = writes.write('u1', async () => Promise.reject(boom), cache);
    const next = writes.write(
      'u1',
      async () => {
        steps.push('source 2');
      },
      cache,
    );
    await expect(failed).rejects.toBe(boom);
    await next;
    expect(cache).toHaveBeenCalledTimes(1);
    expect(steps).toContain('source 2');
  });

  it('remembers a member whose cache write failed until it is invalidated, then forgets it', async () => {
    const { writes, steps } = setup();
    await writes.write(
      'u1',
      async () => {},
      async () => false,
    );
    expect(writes.pendingCount).toBe(1);
    expect(writes.isPending('u1')).toBe(true);
    expect(writes.isPending('u2')).toBe(false);
    await writes.flushPending('u1');
    expect(steps).toContain('invalidate u1');
    expect(writes.pendingCount).toBe(0);
  });

  it('a later successful cache write of the member clears its pending invalidation', async () => {
    const { writes } = setup();
    await writes.write(
      'u1',
      async () => {},
      async () => false,
    );
    await writes.write(
      'u1',
      async () => {},
      async () => true,
    );
    expect(writes.isPending('u1')).toBe(false);
  });

  it('keeps a member pending when its invalidation fails', async () => {
    const { writes } = setup({ invalidateFails: () => true });
    await writes.write(
      'u1',
      async () => {},
      async () => false,
    );
    await expect(writes.flushPending('u1')).rejects.toThrow('connection lost');
    expect(writes.isPending('u1')).toBe(true);
  });

  it('replay invalidates every pending member and stops at the first Redis error', async () => {
    let down = false;
    const { writes, steps } = setup({ invalidateFails: (member) => down && member === 'u2' });
    for (const member of ['u1', 'u2', 'u3'])
      await writes.write(
        member,
        async () => {},
        async () => false,
      );
    down = true;
    await writes.replay();
    expect(steps.filter((s) => s.startsWith('invalidate'))).toEqual(['invalidate u1']);
    expect(writes.pendingCount).toBe(2);
    down = false;
    await writes.replay();
    expect(writes.pendingCount).toBe(0);
  });
});
