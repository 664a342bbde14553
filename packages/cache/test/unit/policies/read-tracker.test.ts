import { describe, expect, it } from 'vitest';
import { ReadTracker, type ScheduleFlush } from '../../../src/policies/read-tracker.js';

/** A scheduler the test fires by hand; records the delays asked for. */
function manualSchedule() {
  const pending: Array<{ flush: () => void; ms: number; cancelled: boolean }> = [];
  const schedule: ScheduleFlush = (flush, ms) => {
    const entry = { flush, ms, cancelled: false };
    pending.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  const live = () => pending.filter((p) => !p.cancelled);
  return { schedule, pending, live };
}

function tracker(options: { up?: boolean; fail?: boolean; maxPending?: number } = {}) {
  const sent: string[][] = [];
  const counters = { redisErrors: 0 };
  const timers = manualSchedule();
  const reads = new ReadTracker({
    flushMs: 50,
    ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
    availability: { up: options.up ?? true },
    send: async (args) => {
      if (options.fail) throw new Error('connection lost');
      sent.push(args);
    },
    counters,
    schedule: timers.schedule,
  });
  return { reads, sent, counters, timers };
}

describe('ReadTracker', () => {
  it('drains misses first, then each member with its hits, least recently read first', () => {
    const { reads } = tracker();
    reads.hit('a');
    reads.hit('b');
    reads.miss();
    reads.hit('a');
    reads.miss();
    expect(reads.drain()).toEqual(['2', 'b', '1', 'a', '2']);
    expect(reads.drain()).toEqual(['0']);
  });

  it('schedules one flush after flushMs for any number of reads, and sends them when it fires', async () => {
    const { reads, sent, timers } = tracker();
    reads.hit('a');
    reads.miss();
    reads.hit('b');
    expect(timers.live()).toHaveLength(1);
    expect(timers.live()[0]!.ms).toBe(50);
    timers.live()[0]!.flush();
    await Promise.resolve();
    expect(sent).toEqual([['1', 'a', '1', 'b', '1']]);
    reads.hit('c');
    expect(timers.pending).toHaveLength(2);
  });

  it('flushes at once when maxPending members are pending', async () => {
    const { reads, sent } = tracker({ maxPending: 3 });
    reads.hit('a');
    reads.hit('b');
    expect(sent).toEqual([]);
    reads.hit('c');
    await Promise.resolve();
    expect(sent).toEqual([['0', 'a', '1', 'b', '1', 'c', '1']]);
  });

  it('a drain (a write carrying the reads) cancels the scheduled flush', () => {
    const { reads, timers } = tracker();
    reads.hit('a');
    reads.drain();
    expect(timers.live()).toHaveLength(0);
  });

  it('sends nothing when no read is pending', async () => {
    const { reads, sent } = tracker();
    await reads.flush();
    expect(sent).toEqual([]);
  });

  it('drops the reads without sending while Redis is down', async () => {
    const { reads, sent } = tracker({ up: false });
    reads.hit('a');
    await reads.flush();
    expect(sent).toEqual([]);
    expect(reads.drain()).toEqual(['0']);
  });

  it('counts a failed send as a Redis error and never rejects', async () => {
    const { reads, counters } = tracker({ fail: true });
    reads.hit('a');
    await expect(reads.flush()).resolves.toBeUndefined();
    expect(counters.redisErrors).toBe(1);
    expect(reads.drain()).toEqual(['0']);
  });
});
