// The near cache's options refused before any connection is made. The near cache on Redis (and
// across a restart): ../near-cache.test.ts.
import { describe, expect, it } from 'vitest';
import { CacheValidationError, createCache } from '../../src/index.js';
import { REDIS_URL } from '../helpers.js';

describe('near cache', () => {
  it('rejects a near cache with inline read tracking, naming the field', () => {
    let error: unknown;
    try {
      createCache({
        prefix: 'x:',
        redis: REDIS_URL,
        policies: { quest_data: { nearCacheEntries: 10, readTracking: 'inline' } },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheValidationError);
    expect((error as CacheValidationError).field).toBe('policies.quest_data.nearCacheEntries');
  });
});
