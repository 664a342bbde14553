import { formatError } from '../errors.js';

/** A point id as Qdrant shows it: an unsigned integer or a lowercase hyphenated UUID. */
export type PointId = number | string;

const HEX32 = /^[0-9a-f]{32}$/;

/**
 * Parses a point id the way Qdrant does: unsigned integers, and UUIDs in any of the textual forms
 * (hyphenated, simple, braced, urn) which are returned in the canonical hyphenated lowercase form.
 */
export function parsePointId(raw: unknown): PointId {
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw) && raw >= 0) return raw;
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
    `value ${typeof raw === 'string' ? raw : JSON.stringify(raw)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

/** Qdrant orders numeric ids before UUIDs; UUIDs compare as 128-bit numbers (= their hex text). */
export function comparePointIds(a: PointId, b: PointId): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
