import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createInputCheck, findUnstorable, MAX_INPUT_DEPTH, parseInput } from '../../src/input.js';
import { refusalProblem } from '../../src/testing/bad-input.js';

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { next: v };
  return v;
}

const throwing = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error('no keys for you');
    },
    get() {
      throw new Error('no reads either');
    },
  },
);

describe('findUnstorable', () => {
  it('refuses NUL and lone surrogates in strings and keys, naming where they are', () => {
    expect(findUnstorable({ a: ['ok', 'x\u0000y'] })).toEqual({
      path: ['a', 1],
      rule: 'must not contain NUL (U+0000)',
    });
    for (const lone of ['\ud800', 'a\udbffb', '\udc00', 'z\udfff', '\udc00\ud800']) {
      expect(findUnstorable({ name: lone })?.rule).toBe('must not contain a lone UTF-16 surrogate');
    }
    expect(findUnstorable({ 'k\ud800': 1 })).toMatchObject({ path: ['k\ud800'] });
    // A surrogate pair (an emoji) is well-formed text.
    expect(findUnstorable({ name: 'dragon \ud83d\udc09', ключ: 'значение' })).toBeNull();
  });

  it('refuses nesting beyond the limit without overflowing the stack, even 100,000 deep', () => {
    expect(findUnstorable(nested(MAX_INPUT_DEPTH - 1))).toBeNull();
    expect(findUnstorable(nested(MAX_INPUT_DEPTH + 1))?.rule).toBe(
      `must be nested at most ${MAX_INPUT_DEPTH} levels deep`,
    );
    expect(findUnstorable(nested(100_000))?.rule).toMatch(/nested at most/);
  });

  it('refuses circular objects, but not the same object twice side by side', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: loop };
    expect(findUnstorable(loop)).toEqual({ path: ['self', 'back'], rule: 'must not be circular' });
    const shared = { x: 1 };
    expect(findUnstorable({ a: shared, b: [shared, shared] })).toBeNull();
  });

  it('refuses objects whose reads throw (proxies, getters)', () => {
    expect(findUnstorable({ p: throwing })).toEqual({
      path: ['p'],
      rule: 'must be plain data (reading it threw)',
    });
    const getter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    expect(findUnstorable(getter)?.rule).toBe('must be plain data (reading it threw)');
  });

  it('accepts any well-formed JSON without NUL (1,000 generated values)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        const text = JSON.stringify(value) ?? '';
        fc.pre(!text.includes('\\u0000'));
        expect(findUnstorable(value)).toBeNull();
      }),
      { numRuns: 1_000 },
    );
  });

  it('finds a NUL or lone surrogate put anywhere in a JSON value (1,000 generated values)', () => {
    const bad = fc.constantFrom('\u0000', '\ud800', '\udfff', '\udc00x', 'x\udbff');
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), fc.nat(), bad, (keys, at, b) => {
        // Builds { k0: { k1: … 'text<bad>' } } and plants the bad text at depth `at % keys.length`.
        let value: unknown = `text${b}`;
        const depth = at % keys.length;
        for (let i = keys.length - 1; i >= 0; i--) value = i === depth ? { [keys[i]!]: value } : [value];
        expect(findUnstorable(value)).not.toBeNull();
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('parseInput', () => {
  it('returns the first problem with its path: unstorable text first, then the schema', () => {
    const schema = z.object({ name: z.string().max(3, 'must be at most 3 characters') });
    expect(parseInput(schema, { name: 'abcd' })).toEqual({
      ok: false,
      problem: { path: ['name'], rule: 'must be at most 3 characters' },
    });
    expect(parseInput(schema, { name: '\ud800' })).toMatchObject({ ok: false, problem: { path: ['name'] } });
    expect(parseInput(schema, throwing)).toMatchObject({ ok: false, problem: { path: [] } });
    expect(parseInput(schema, { name: 'abc' })).toEqual({ ok: true, data: { name: 'abc' } });
  });
});

describe('refusalProblem, the test kit check of a refused bad input', () => {
  const refusal = Object.assign(new Error('options.path: must not contain NUL (U+0000)'), {
    code: 'VALIDATION',
    field: 'options.path',
  });
  it('accepts a VALIDATION error whose field starts with the expected one', () => {
    expect(refusalProblem(refusal, 'options')).toBeNull();
  });
  it('reports no error, another code, a missing or other field, and a leaking message', () => {
    expect(refusalProblem(undefined, 'options')).toMatch(/accepted/);
    expect(refusalProblem(new TypeError('x.normalize is not a function'), 'options')).toMatch(/TypeError/);
    expect(refusalProblem(Object.assign(new Error('m'), { code: 'VALIDATION' }), 'options')).toMatch(
      /no field/,
    );
    expect(refusalProblem(refusal, 'config')).toMatch(/should start with config/);
    const leaking = Object.assign(new Error('at /repo/src/a.ts:12 postgresql://u:p@h/db'), {
      code: 'VALIDATION',
      field: 'options',
    });
    expect(refusalProblem(leaking, 'options')).toMatch(/leaks/);
  });
});

describe('createInputCheck', () => {
  class PackageValidationError extends Error {
    constructor(
      readonly field: string,
      readonly rule: string,
    ) {
      super(`${field}: ${rule}`);
    }
  }
  const check = createInputCheck((field, rule) => new PackageValidationError(field, rule));
  const Options = z.object({ ttlSeconds: z.number().positive('must be positive') });

  it('returns the parsed value, typed by the schema', () => {
    expect(check(Options, { ttlSeconds: 5 }, 'options')).toEqual({ ttlSeconds: 5 });
  });

  it("throws the package's own error naming the field with the nested path and the rule", () => {
    const thrown = (() => {
      try {
        check(Options, { ttlSeconds: -1 }, 'options');
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(PackageValidationError);
    expect(thrown).toMatchObject({ field: 'options.ttlSeconds', rule: 'must be positive' });
  });

  it('refuses what is not plain data before the schema reads it', () => {
    const cyclic: Record<string, unknown> = { ttlSeconds: 1 };
    cyclic.self = cyclic;
    expect(() => check(Options, cyclic, 'options')).toThrow(PackageValidationError);
  });
});
