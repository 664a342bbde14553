import { describe, expect, it } from 'vitest';
import { StepError } from '../../src/errors.js';
import { part, pipeline, type StepTiming } from '../../src/pipeline.js';

describe('pipeline', () => {
  it('passes each step output to the next and times every step in order', async () => {
    const flow = pipeline<{ n: number }>('double-then-label')
      .step('double', 'compute', ({ n }) => n * 2)
      .step('label', 'compute', async (n) => `value:${n}`);
    const recorded: StepTiming[][] = [];
    const result = await flow.run({ n: 21 }, (_name, timings) => {
      recorded.push([...timings]);
    });
    expect(result.output).toBe('value:42');
    expect(result.partial).toBe(false);
    expect(result.timings.map((t) => [t.step, t.store, t.outcome])).toEqual([
      ['double', 'compute', 'ok'],
      ['label', 'compute', 'ok'],
    ]);
    expect(result.timings.every((t) => t.ms >= 0)).toBe(true);
    expect(recorded).toEqual([result.timings]);
    expect(flow.describe()).toEqual(['compute: double', 'compute: label']);
  });

  it('stops at a failing step with an error naming flow, step and store, and still records the timings', async () => {
    const recorded: StepTiming[] = [];
    const ran: string[] = [];
    const flow = pipeline<number>('fragile')
      .step('first', 'postgres', (n) => {
        ran.push('first');
        return n;
      })
      .step('boom', 'redis', () => {
        throw new Error('connection refused');
      })
      .step('never', 'qdrant', (n) => {
        ran.push('never');
        return n;
      });
    const error = await flow.run(1, (_f, t) => void recorded.push(...t)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toBe('fragile: step "boom" (redis) failed: connection refused');
    expect(ran).toEqual(['first']);
    expect(recorded.map((t) => t.outcome)).toEqual(['ok', 'failed']);
  });

  it('uses a tolerant step fallback, flags the run partial, and goes on', async () => {
    const flow = pipeline<string>('tolerant')
      .step(
        'memories',
        'qdrant',
        (): string[] => {
          throw new Error('qdrant down');
        },
        { fallback: () => [] },
      )
      .step('count', 'compute', (memories) => memories.length);
    const result = await flow.run('q');
    expect(result.output).toBe(0);
    expect(result.partial).toBe(true);
    expect(result.timings[0]).toMatchObject({ step: 'memories', outcome: 'degraded', error: 'qdrant down' });
  });

  it('does not fail the flow when the recorder throws', async () => {
    const result = await pipeline<number>('rec')
      .step('id', 'compute', (n) => n)
      .run(5, () => {
        throw new Error('metrics store down');
      });
    expect(result.output).toBe(5);
  });

  it('runs a concurrent pair at the same time, merges what each adds, and records both in the order given', async () => {
    const events: string[] = [];
    let releaseFirst: () => void = () => {};
    const flow = pipeline<{ userId: string }>('pair')
      .concurrently(
        part('session', 'redis', async ({ userId }) => {
          events.push('session started');
          await new Promise<void>((resolve) => {
            releaseFirst = resolve;
          });
          events.push('session done');
          return { session: `s:${userId}` };
        }),
        part('memories', 'qdrant', ({ userId }) => {
          // Runs while the first part is still waiting.
          events.push('memories ran');
          releaseFirst();
          return { memories: [userId] };
        }),
      )
      .step('use', 'compute', (ctx) => `${ctx.userId} ${ctx.session} ${ctx.memories.join(',')}`);
    const result = await flow.run({ userId: 'u1' });
    expect(events).toEqual(['session started', 'memories ran', 'session done']);
    expect(result.output).toBe('u1 s:u1 u1');
    expect(result.timings.map((t) => [t.step, t.store, t.outcome])).toEqual([
      ['session', 'redis', 'ok'],
      ['memories', 'qdrant', 'ok'],
      ['use', 'compute', 'ok'],
    ]);
    expect(flow.describe()).toEqual(['redis: session', 'qdrant: memories', 'compute: use']);
  });

  it('gives each part of a concurrent pair its own fallback, and stops on a part without one', async () => {
    const tolerant = await pipeline<number>('tolerant-pair')
      .concurrently(
        part(
          'cache',
          'redis',
          (): { cached: boolean } => {
            throw new Error('redis down');
          },
          { fallback: () => ({ cached: false }) },
        ),
        part('store', 'qdrant', () => ({ stored: true })),
      )
      .run(1);
    expect(tolerant.partial).toBe(true);
    expect(tolerant.output).toMatchObject({ cached: false, stored: true });
    expect(tolerant.timings.map((t) => t.outcome)).toEqual(['degraded', 'ok']);

    const recorded: StepTiming[] = [];
    const ran: string[] = [];
    const error = await pipeline<number>('fragile-pair')
      .concurrently(
        part('cache', 'redis', () => ({ cached: true })),
        part('store', 'qdrant', (): { stored: boolean } => {
          throw new Error('qdrant down');
        }),
      )
      .step('after', 'compute', (ctx) => {
        ran.push('after');
        return ctx;
      })
      .run(1, (_f, t) => void recorded.push(...t))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toBe('fragile-pair: step "store" (qdrant) failed: qdrant down');
    expect(ran).toEqual([]);
    expect(recorded.map((t) => [t.step, t.outcome])).toEqual([
      ['cache', 'ok'],
      ['store', 'failed'],
    ]);
  });
});
