import { describe, expect, it } from 'vitest';
import { cloneJson } from '../../src/engine/json-path.js';

describe('cloneJson', () => {
  it('copies nested objects and arrays so that changing the copy leaves the original alone', () => {
    const original = { a: 1, tags: ['x', 'y'], nested: { deep: [{ n: 2 }], none: null, t: true } };
    const copy = cloneJson(original);
    expect(copy).toEqual({ a: 1, tags: ['x', 'y'], nested: { deep: [{ n: 2 }], none: null, t: true } });
    copy.tags.push('z');
    copy.nested.deep[0]!.n = 3;
    expect(original.tags).toEqual(['x', 'y']);
    expect(original.nested.deep[0]!.n).toBe(2);
  });

  it('keeps what structuredClone keeps: Dates as Dates, an own "__proto__" key as a key', () => {
    const at = new Date('2025-01-02T03:04:05Z');
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
    const copy = cloneJson({ at, parsed });
    expect(copy.at).toBeInstanceOf(Date);
    expect(copy.at).not.toBe(at);
    expect(copy.at.getTime()).toBe(at.getTime());
    expect(Object.keys(copy.parsed)).toEqual(['__proto__', 'k']);
    expect(Object.getPrototypeOf(copy.parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses functions as structuredClone does', () => {
    expect(() => cloneJson({ f: () => 1 })).toThrow();
  });
});
