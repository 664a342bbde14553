// The boundary check every package runs on caller input before its zod schema: text that
// PostgreSQL, Redis keys or JSON cannot hold is refused (never silently changed), and input that
// is not plain data (circular, nested without end, throwing on read) is refused instead of
// overflowing the stack or escaping as a TypeError.
import type { z } from 'zod';

/** How deep caller input may nest (objects and arrays); far beyond any MonsterOS document. */
export const MAX_INPUT_DEPTH = 64;

/** What is wrong with an input, and where (`path` relative to the input; empty for the input itself). */
export interface InputProblem {
  path: Array<string | number>;
  rule: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The rule a string breaks (NUL, lone UTF-16 surrogate), or null. */
export function unstorableTextRule(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate';
  return null;
}

/**
 * The first thing in `value` no store can hold faithfully: a string (or object key) with NUL or a
 * lone surrogate, nesting deeper than `MAX_INPUT_DEPTH`, a circular reference, or a property whose
 * read throws (a proxy, a getter). Null when the value is plain data. Only arrays and plain objects
 * are entered: class instances (dates, typed arrays, clients) are their schema's business.
 * @example
 * findUnstorable({ name: 'a\u0000b' }); // { path: ['name'], rule: 'must not contain NUL (U+0000)' }
 */
export function findUnstorable(value: unknown): InputProblem | null {
  const ancestors = new Set<object>();
  const path: Array<string | number> = [];
  const visit = (v: unknown, depth: number): string | null => {
    if (typeof v === 'string') return unstorableTextRule(v);
    if (typeof v !== 'object' || v === null) return null;
    // Only plain data is entered: class instances (a Redis client or a pool handed in as an option,
    // a Date, a typed array) are their schema's business.
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return null;
    if (depth >= MAX_INPUT_DEPTH) return `must be nested at most ${MAX_INPUT_DEPTH} levels deep`;
    if (ancestors.has(v)) return 'must not be circular';
    ancestors.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          path.push(i);
          const rule = visit(v[i], depth + 1);
          if (rule) return rule;
          path.pop();
        }
      } else {
        // Reads what JSON.stringify reads first: a proxy or getter that throws on it is refused
        // here rather than escaping later as a TypeError.
        void (v as { toJSON?: unknown }).toJSON;
        for (const key of Object.keys(v)) {
          path.push(key);
          const rule = unstorableTextRule(key) ?? visit((v as Record<string, unknown>)[key], depth + 1);
          if (rule) return rule;
          path.pop();
        }
      }
    } finally {
      ancestors.delete(v);
    }
    return null;
  };
  try {
    const rule = visit(value, 0);
    return rule ? { path, rule } : null;
  } catch {
    return { path, rule: 'must be plain data (reading it threw)' };
  }
}

/**
 * Parses caller input: `findUnstorable` first, then `schema`; the first problem comes back with its
 * path instead of being thrown, so each package throws its own typed error naming the field.
 * @example
 * const parsed = parseInput(Uuid, input.userId);
 * if (!parsed.ok) throw new RelationalValidationError(joinInputPath('userId', parsed.problem.path), parsed.problem.rule);
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; data: z.output<S> } | { ok: false; problem: InputProblem } {
  const unstorable = findUnstorable(value);
  if (unstorable) return { ok: false, problem: unstorable };
  let parsed: ReturnType<S['safeParse']>;
  try {
    parsed = schema.safeParse(value) as ReturnType<S['safeParse']>;
  } catch {
    // A proxy that answered the scan but throws on zod's reads (or a getter that throws once).
    return { ok: false, problem: { path: [], rule: 'must be plain data (reading it threw)' } };
  }
  if (parsed.success) return { ok: true, data: parsed.data as z.output<S> };
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    problem: { path: issue.path.filter((p) => typeof p !== 'symbol'), rule: issue.message },
  };
}

/** `field` and a problem's path as one name: `options`, `options.ttlSeconds`, `updates.3.value`. */
export function joinInputPath(field: string, path: Array<string | number>): string {
  return path.length > 0 ? `${field}.${path.join('.')}` : field;
}

/**
 * A package's input check: parses with `parseInput` and throws the package's own validation error
 * (built by `refuse`) naming `field` with the nested path inside it and zod's rule. Each package
 * makes one at module level instead of writing the same function again.
 * @example
 * export const check = createInputCheck((field, rule) => new CacheValidationError(field, rule));
 * const ttl = check(TtlSeconds, options.ttlSeconds, 'ttlSeconds'); // or throws `ttlSeconds: must be positive`
 */
export function createInputCheck(refuse: (field: string, rule: string) => Error) {
  return function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
    const parsed = parseInput(schema, value);
    if (parsed.ok) return parsed.data;
    throw refuse(joinInputPath(field, parsed.problem.path), parsed.problem.rule);
  };
}
