import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../src/testing/index.js';

describe('thrownBy (test kit)', () => {
  it('gives what a function throws or rejects with, and undefined when it returns', async () => {
    const thrown = new Error('thrown');
    const rejected = new Error('rejected');
    expect(
      await thrownBy(() => {
        throw thrown;
      }),
    ).toBe(thrown);
    expect(await thrownBy(() => Promise.reject(rejected))).toBe(rejected);
    expect(await thrownBy(async () => 42)).toBeUndefined();
    expect(await thrownBy(() => 'value')).toBeUndefined();
  });
});
