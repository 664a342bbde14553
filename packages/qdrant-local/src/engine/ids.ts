import { formatError } from '../errors.js';

/**
 * A point id as Qdrant shows it: an unsigned 64-bit integer (a `number` up to 2^53 − 1, a `bigint`
 * above, so every id has one exact form) or a lowercase hyphenated UUID.
 */
export type PointId = number | bigint | string;

const U64_MAX = (1n << 64n) - 1n;

/** The one form of an unsigned integer id: `number` when safe, `bigint` beyond. */
const integerId = (n: bigint): PointId => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);

const HEX32 = /^[0-9a-f]{32}$/;

/**
 * Parses a point id the way Qdrant does: unsigned integers, and UUIDs in any of the textual forms
 * (hyphenated, simple, braced, urn) which are returned in the canonical hyphenated lowercase form.
 */
export function parsePointId(raw: unknown): PointId {
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw) && raw >= 0) return raw;
    // A number beyond 2^53 from an in-process caller: exact as the double it is, if it fits a u64.
    if (Number.isInteger(raw) && raw >= 0 && raw <= 2 ** 64 - 1) return integerId(BigInt(raw));
  } else if (typeof raw === 'bigint') {
    if (raw >= 0n && raw <= U64_MAX) return integerId(raw);
  } else if (typeof raw === 'string') {
    let s = raw.trim().toLowerCase();
    if (s.startsWith('urn:uuid:')) s = s.slice(9);
    if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
    const hex =
      s.length === 36 && s[8] === '-' && s[13] === '-' && s[18] === '-' && s[23] === '-'
        ? s.replaceAll('-', '')
        : s;
    if (HEX32.test(hex)) {
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
  throw formatError(
    `value ${typeof raw === 'string' || typeof raw === 'bigint' ? String(raw) : JSON.stringify(raw)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

/** Qdrant orders numeric ids before UUIDs; UUIDs compare as 128-bit numbers (= their hex text). */
export function comparePointIds(a: PointId, b: PointId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string') return typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : 1;
  if (typeof b === 'string') return -1;
  // number vs bigint (or two bigints): JavaScript compares them exactly.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An id from a URL path segment: digits are an unsigned integer (exact beyond 2^53), the rest a UUID. */
export function pointIdFromPath(raw: string): PointId {
  return parsePointId(/^\d+$/.test(raw) ? BigInt(raw) : raw);
}
