// Generators of caller input that no store can hold and no schema may accept, for the property
// tests of every package's public entry points (`@monsteros/schema/testing`).
import fc from 'fast-check';

/** Text with a NUL or a lone UTF-16 surrogate somewhere in it. */
export function unstorableText(): fc.Arbitrary<string> {
  const bad = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff');
  return fc
    .tuple(fc.string({ maxLength: 20 }), bad, fc.string({ maxLength: 20 }))
    .map(([a, b, c]) => `${a}${b}${c}`);
}

/** Builders of objects nested from 65 to 100,000 levels deep (built when called). */
export function deeplyNested(): fc.Arbitrary<() => unknown> {
  return fc.integer({ min: 65, max: 100_000 }).map((depth) => () => {
    let v: unknown = { leaf: true };
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { next: v };
    return v;
  });
}

/** An object that contains itself, somewhere below the top. */
export function circular(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.nat({ max: 5 })).map(([key, depth]) => {
    const root: Record<string, unknown> = {};
    let at = root;
    for (let i = 0; i < depth; i++) {
      const next: Record<string, unknown> = {};
      at[`${key}${i}`] = next;
      at = next;
    }
    at.loop = root;
    return root;
  });
}

/**
 * Bad input built on demand: fast-check itself probes the values it generates (`in`, keys), which
 * a throwing proxy would break, so the generators hand out a builder and a description.
 */
export class BadInput {
  constructor(
    readonly description: string,
    readonly make: () => unknown,
  ) {}
  [fc.toStringMethod](): string {
    return this.description;
  }
}

/** A proxy whose reads (keys, properties, type checks) throw. */
export function throwingProxy(): fc.Arbitrary<BadInput> {
  return fc.constantFrom('ownKeys', 'get', 'getPrototypeOf', 'all').map(
    (trap) =>
      new BadInput(`proxy throwing on ${trap}`, () => {
        const boom = () => {
          throw new TypeError(`proxy trap ${trap} says no`);
        };
        const handler: ProxyHandler<object> =
          trap === 'all'
            ? { ownKeys: boom, get: boom, getPrototypeOf: boom, has: boom, getOwnPropertyDescriptor: boom }
            : { [trap]: boom };
        return new Proxy({}, handler);
      }),
  );
}

/**
 * Any of the above, as a builder: input every public entry point must refuse, typed, naming a field.
 * @example
 * await fc.assert(fc.asyncProperty(badInput(), async (bad) => { await expectRefused(() => api.get(bad.make())); }), { numRuns: 1_000 });
 */
export function badInput(): fc.Arbitrary<BadInput> {
  const wrap = <T>(what: string, arb: fc.Arbitrary<T>) =>
    arb.map((v) => new BadInput(what === 'text' ? JSON.stringify(v) : what, () => v));
  return fc.oneof(
    wrap('text', unstorableText()),
    deeplyNested().map((make) => new BadInput('deeply nested object', make)),
    wrap('circular object', circular()),
    throwingProxy(),
  );
}

/**
 * What `fn` threw or rejected with, or undefined when it returned: the error a refusal test looks at.
 * @example
 * await thrownBy(() => api.get(bad.make())) // CacheValidationError { field: 'key', … }
 */
export async function thrownBy(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Why `error` is not the refusal bad input deserves, or null when it is: a typed `VALIDATION`
 * error whose `field` (a string) starts with `field`, and whose message carries no source path,
 * code location or connection string.
 * @example
 * expect(refusalProblem(await thrownBy(() => api.get(bad.make())), 'options')).toBeNull();
 */
export function refusalProblem(error: unknown, field: string): string | null {
  if (!(error instanceof Error)) return `${field}: accepted (no error thrown)`;
  const e = error as Error & { code?: unknown; field?: unknown };
  if (e.code !== 'VALIDATION') return `${field}: ${String(e.code)} ${e.name}: ${e.message.slice(0, 200)}`;
  if (typeof e.field !== 'string') return `${field}: no field in ${e.message.slice(0, 200)}`;
  if (!e.field.startsWith(field)) return `${e.field.slice(0, 100)} should start with ${field}`;
  if (/\/src\/|\.ts:\d|postgres(ql)?:\/\//.test(e.message)) return `${field}: the message leaks ${e.message}`;
  return null;
}
