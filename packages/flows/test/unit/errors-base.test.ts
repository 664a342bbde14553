// Every package's errors extend the one base of @monsteros/schema, and every package's
// validation error is named <Package>ValidationError with code VALIDATION, field and rule.
import { AnalyticsError, AnalyticsValidationError } from '@monsteros/analytics';
import { CacheError, CacheValidationError } from '@monsteros/cache';
import { RelationalError, RelationalValidationError } from '@monsteros/relational';
import { isMonsterosError, MonsterosError } from '@monsteros/schema/errors';
import { VectorsError, VectorsValidationError } from '@monsteros/vectors';
import { describe, expect, it } from 'vitest';
import { ConfigError, FlowError, FlowValidationError } from '../../src/index.js';

const validationErrors = [
  ['@monsteros/analytics', AnalyticsValidationError, AnalyticsError],
  ['@monsteros/cache', CacheValidationError, CacheError],
  ['@monsteros/relational', RelationalValidationError, RelationalError],
  ['@monsteros/vectors', VectorsValidationError, VectorsError],
  ['@monsteros/flows', FlowValidationError, FlowError],
] as const;

describe('one error base for every package', () => {
  it.each(validationErrors)(
    '%s: its validation error is a MonsterosError with code, field and rule',
    (_, V, Base) => {
      const error = new V('options.limit', 'must be at most 100');
      expect(error).toBeInstanceOf(Base);
      expect(error).toBeInstanceOf(MonsterosError);
      expect(isMonsterosError(error)).toBe(true);
      expect(error.code).toBe('VALIDATION');
      expect(error.field).toBe('options.limit');
      expect(error.rule).toBe('must be at most 100');
      expect(error.message).toBe('options.limit: must be at most 100');
      expect(error.name).toBe(V.name);
    },
  );

  it('a configuration error names the variable as its field', () => {
    const error = new ConfigError('DATABASE_URL', 'must be a postgresql:// URL');
    expect(isMonsterosError(error)).toBe(true);
    expect(error.code).toBe('CONFIG');
    expect(error.field).toBe('DATABASE_URL');
    expect(error.rule).toBe('must be a postgresql:// URL');
  });
});
