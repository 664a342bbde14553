import { describe, expect, it } from 'vitest';
import { isMonsterosError, MonsterosError } from '../../src/errors.js';
import { MigrateError } from '../../src/migrate/errors.js';

describe('MonsterosError, the base of every package error', () => {
  it('keeps the code, the field and rule of refused input, and the cause', () => {
    const cause = new TypeError('not a uuid');
    const error = new MonsterosError('VALIDATION', 'userId: must be a UUID', {
      field: 'userId',
      rule: 'must be a UUID',
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('VALIDATION');
    expect(error.field).toBe('userId');
    expect(error.rule).toBe('must be a UUID');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('userId: must be a UUID');
    expect(isMonsterosError(error)).toBe(true);
  });

  it('leaves field, rule and cause unset when none is given (no own undefined cause)', () => {
    const error = new MonsterosError('UNAVAILABLE', 'PostgreSQL is unavailable');
    expect(error.field).toBeUndefined();
    expect(error.rule).toBeUndefined();
    expect(Object.hasOwn(error, 'cause')).toBe(false);
  });

  it('is the base of the migration tool errors, and tells them from other errors', () => {
    const error = new MigrateError('DRIFT', 'schema and migrations disagree', { details: { table: 'x' } });
    expect(isMonsterosError(error)).toBe(true);
    expect(error.code).toBe('DRIFT');
    expect(error.details).toEqual({ table: 'x' });
    expect(isMonsterosError(new Error('plain'))).toBe(false);
    expect(isMonsterosError({ code: 'VALIDATION', message: 'look-alike' })).toBe(false);
  });
});
