import { describe, expect, it } from 'vitest';
import { CacheValidationError } from '../../../src/errors.js';
import { memberOf, swrSecondsOf, tagsOf, ttlMsOf } from '../../../src/policies/call-arguments.js';

const responses = { parts: ['character', 'hash'], suffix: '' };
const prefs = { parts: ['userId'], suffix: ':prefs' };

function refusal(fn: () => unknown): { field: string; rule: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheValidationError);
    const { field, rule } = error as CacheValidationError;
    return { field, rule };
  }
  throw new Error('expected a CacheValidationError');
}

describe('memberOf', () => {
  it("joins the key's parts in key order with ':' and appends the suffix", () => {
    expect(memberOf(responses, { hash: 'h1', character: 'sage' })).toBe('sage:h1');
    expect(memberOf(prefs, { userId: 'u1' })).toBe('u1:prefs');
  });

  it('escapes characters outside [A-Za-z0-9_.-] as %XX of their UTF-8 bytes', () => {
    expect(memberOf(prefs, { userId: 'a:b é' })).toBe('a%3Ab%20%C3%A9:prefs');
  });

  it('refuses keys that are not objects, and parts that are not non-empty strings, naming the part', () => {
    expect(refusal(() => memberOf(prefs, 'u1'))).toEqual({ field: 'key', rule: 'must be an object' });
    expect(refusal(() => memberOf(prefs, {}))).toEqual({ field: 'key.userId', rule: 'must be a string' });
    expect(refusal(() => memberOf(prefs, { userId: '' }))).toEqual({
      field: 'key.userId',
      rule: 'must not be empty',
    });
    expect(refusal(() => memberOf(responses, { character: 'sage', hash: 'x'.repeat(513) })).field).toBe(
      'key.hash',
    );
  });

  it('refuses NUL and lone surrogates, which Redis keys could not keep apart', () => {
    expect(refusal(() => memberOf(prefs, { userId: 'a\u0000b' })).field).toBe('key.userId');
    expect(refusal(() => memberOf(prefs, { userId: 'a\ud800' })).field).toBe('key.userId');
  });

  it('refuses a key whose part cannot be read', () => {
    const key = Object.defineProperty({}, 'userId', {
      get() {
        throw new Error('nope');
      },
    });
    expect(refusal(() => memberOf(prefs, key))).toEqual({
      field: 'key.userId',
      rule: 'must be plain data (reading it threw)',
    });
  });
});

describe('call options', () => {
  it("an entry lives its TTL (the option's or the namespace's) plus the stale window, in ms", () => {
    expect(ttlMsOf(300, undefined, 0)).toBe(300_000);
    expect(ttlMsOf(300, { ttlSeconds: 1.5 }, 10)).toBe(11_500);
    expect(ttlMsOf(300, {}, 0.0001)).toBe(300_000);
  });

  it('refuses a TTL that is not a positive number of seconds', () => {
    expect(refusal(() => ttlMsOf(300, { ttlSeconds: 0 }, 0)).field).toBe('ttlSeconds');
    expect(refusal(() => ttlMsOf(300, { ttlSeconds: Number.NaN }, 0)).field).toBe('ttlSeconds');
  });

  it('escapes tags like key parts and names the bad one', () => {
    expect(tagsOf(undefined)).toEqual([]);
    expect(tagsOf({ tags: ['character:sage', 'plain'] })).toEqual(['character%3Asage', 'plain']);
    expect(refusal(() => tagsOf({ tags: 'x' as unknown as string[] })).field).toBe('tags');
    expect(refusal(() => tagsOf({ tags: ['ok', ''] })).field).toBe('tags[1]');
  });

  it("the stale window is the option's or the namespace's, never negative", () => {
    expect(swrSecondsOf(30, undefined)).toBe(30);
    expect(swrSecondsOf(30, { staleWhileRevalidateSeconds: 0 })).toBe(0);
    expect(refusal(() => swrSecondsOf(0, { staleWhileRevalidateSeconds: -1 }))).toEqual({
      field: 'staleWhileRevalidateSeconds',
      rule: 'must be a number of seconds, not negative',
    });
  });
});
