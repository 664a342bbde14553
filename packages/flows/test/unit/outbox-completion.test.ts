import { describe, expect, it } from 'vitest';
import { coalescedCompletion } from '../../src/outbox/completion.js';

/** A `complete` whose statements finish only when the test says so. */
function controlled() {
  const statements: Array<{ ids: string[]; finish: () => void; fail: (e: Error) => void }> = [];
  const complete = (ids: string[]) =>
    new Promise<void>((resolve, reject) => {
      statements.push({ ids, finish: resolve, fail: reject });
    });
  return { statements, complete };
}

const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('coalescedCompletion', () => {
  it('starts the first call at once and sends the calls made meanwhile together in the next statement', async () => {
    const { statements, complete } = controlled();
    const completeEvents = coalescedCompletion(complete);
    const first = completeEvents(['1', '2']);
    expect(statements.map((s) => s.ids)).toEqual([['1', '2']]);
    const second = completeEvents(['3']);
    const third = completeEvents(['4', '5']);
    expect(statements).toHaveLength(1);
    expect(await settled(second)).toBe('pending');

    statements[0]!.finish();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending');
    expect(statements.map((s) => s.ids)).toEqual([
      ['1', '2'],
      ['3', '4', '5'],
    ]);

    statements[1]!.finish();
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('resolved');
  });

  it('rejects only the callers whose statement failed, and goes on with the next', async () => {
    const { statements, complete } = controlled();
    const completeEvents = coalescedCompletion(complete);
    const first = completeEvents(['1']);
    const second = completeEvents(['2']);
    statements[0]!.fail(new Error('PostgreSQL is down'));
    await expect(first).rejects.toThrow('PostgreSQL is down');
    expect(await settled(second)).toBe('pending');
    statements[1]!.finish();
    await expect(second).resolves.toBeUndefined();
  });

  it('sends nothing for an empty list', async () => {
    const { statements, complete } = controlled();
    await coalescedCompletion(complete)([]);
    expect(statements).toHaveLength(0);
  });
});
