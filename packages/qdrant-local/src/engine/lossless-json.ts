/**
 * JSON that keeps integers beyond 2^53 exact, as Qdrant (Rust, u64/i64) does: point ids up to
 * u64::MAX and payload integers parse to `bigint` and print back digit for digit. Everything
 * else is plain JSON. Used for request bodies, responses, the log and the snapshot.
 */

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
type JsonWithRaw = JSON & { rawJSON(text: string): unknown };

/**
 * A run of 16 or more digits that is a whole JSON number (not the fraction or exponent of
 * one): the only text that can hold an integer beyond 2^53. Most bodies have none, and those
 * skip the (slower) reviver entirely; 17-digit float fractions like 0.12345678901234567 do not match.
 */
const LONG_INTEGER = /(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/;

const keepLongIntegers: Reviver = (_key, value, context) => {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && /^-?\d+$/.test(source) ? BigInt(source) : value;
};

/** `JSON.parse`, with integers outside ±(2^53 − 1) written as digits returned as exact `bigint`s. */
export function parseLosslessJson(text: string): unknown {
  return LONG_INTEGER.test(text) ? JSON.parse(text, keepLongIntegers as never) : JSON.parse(text);
}

const writeBigints = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? (JSON as JsonWithRaw).rawJSON(value.toString()) : value;

/** `JSON.stringify` that prints `bigint`s as their exact digits (plain stringify refuses them). */
export function stringifyLosslessJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    // Only a bigint somewhere makes plain stringify throw a TypeError; pay for the replacer then.
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(value, writeBigints);
  }
}
