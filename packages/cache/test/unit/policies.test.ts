// The cache's options refused before any connection is made (createCache checks the key prefix,
// given or from MONSTEROS_KEY_PREFIX, first). The rest of the bad-input cases use a cache on Redis:
// ../policies.test.ts.
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { REDIS_URL, validationError } from '../helpers.js';

describe('bad input', () => {
  it('rejects a prefix with braces', async () => {
    const e = await validationError(() => createCache({ prefix: 'a{b}:' }));
    expect(e.field).toBe('options.prefix');
  });

  it('rejects a MONSTEROS_KEY_PREFIX with braces or glob characters like the prefix option', async () => {
    const saved = process.env.MONSTEROS_KEY_PREFIX;
    try {
      for (const bad of ['a{b}:', 'mos*:', 'mos[1]:']) {
        process.env.MONSTEROS_KEY_PREFIX = bad;
        const e = await validationError(() => createCache({ redis: REDIS_URL }));
        expect(e.field).toBe('MONSTEROS_KEY_PREFIX');
      }
    } finally {
      if (saved === undefined) delete process.env.MONSTEROS_KEY_PREFIX;
      else process.env.MONSTEROS_KEY_PREFIX = saved;
    }
  });
});
