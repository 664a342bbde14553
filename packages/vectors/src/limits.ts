import { findUnstorable, joinInputPath, MAX_INPUT_DEPTH } from '@monsteros/schema';
import type { Schemas } from '@qdrant/js-client-rest';
import { VectorsValidationError } from './errors.js';

/**
 * The sizes the vectors API accepts, checked before anything is embedded or sent, so an oversized
 * input is a VALIDATION error naming the field instead of a stalled event loop or a 413 half-way
 * through a write. Qdrant's own limits where it has one: 65,536 dimensions per dense vector, a
 * 32 MB request body (`service.max_request_size_mb`; our writes are split to stay well below
 * it). Qdrant has no per-point or per-filter limit of its own (strict mode's `filter_max_conditions`
 * and `condition_max_size` are off by default): those below are ours, far above MonsterOS's
 * real inputs.
 */
export const VECTORS_LIMITS = {
  /** Records per `upsert` call (sent in batches of `batchSize`). */
  upsertRecords: 100_000,
  /** One point's payload, as UTF-8 JSON (an interaction's memory holds message and response; the flows take messages of up to 1,000,000 characters). */
  payloadBytes: 8_388_608,
  /** One write request's estimated body, under Qdrant's 32 MB `max_request_size_mb`: batches are split to fit. */
  requestBytes: 16_777_216,
  /** A text to embed or to search for: the flows' longest message (`maxMessageLength` at most 1,000,000). */
  textChars: 1_000_000,
  /** Texts per `embed` call. */
  embedTexts: 10_000,
  /** A character name in a search. */
  characterChars: 256,
  /** Characters of one `crossCharacterSearch`. */
  characters: 1_000,
  /** Memory types of one `characterContextSearch`. */
  memoryTypes: 1_000,
  /** Source ids per `deleteBySourceIds` call (sent 10,000 per request). */
  sourceIds: 100_000,
  /** A filter: conditions and lists (every object and array inside it). */
  filterNodes: 10_000,
  /** A filter: its strings (keys and values) together, in characters. */
  filterChars: 1_048_576,
  /** A filter: one payload key (`key` of a condition). */
  filterKeyChars: 1_024,
} as const;

/** A Qdrant filter within the limits (plain data, not circular, not too deep), or a validation error naming where. */
export function checkFilter(filter: unknown, field: string): Schemas['Filter'] {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw new VectorsValidationError(field, 'must be a Qdrant filter object');
  let nodes = 0;
  let chars = 0;
  // The sizes first, without reading the strings (a scan of 10 MB for NUL is what costs): a walk
  // bounded by the node count, so a circular or deep filter ends it too; `findUnstorable` then
  // names what is not plain data.
  const visit = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_INPUT_DEPTH) return;
    if (typeof v === 'string') {
      chars += v.length;
      if (chars > VECTORS_LIMITS.filterChars)
        throw new VectorsValidationError(
          path,
          `the filter's strings must hold at most ${VECTORS_LIMITS.filterChars} characters in all`,
        );
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (++nodes > VECTORS_LIMITS.filterNodes)
      throw new VectorsValidationError(
        path,
        `the filter must hold at most ${VECTORS_LIMITS.filterNodes} conditions and lists`,
      );
    if (Array.isArray(v)) {
      if (v.length > VECTORS_LIMITS.filterNodes)
        throw new VectorsValidationError(path, `must hold at most ${VECTORS_LIMITS.filterNodes} items`);
      v.forEach((item, i) => {
        visit(item, `${path}[${i}]`, depth + 1);
      });
      return;
    }
    for (const [key, value] of Object.entries(v)) {
      chars += key.length;
      if (key === 'key' && typeof value === 'string' && value.length > VECTORS_LIMITS.filterKeyChars)
        throw new VectorsValidationError(
          `${path}.key`,
          `must be a payload key of at most ${VECTORS_LIMITS.filterKeyChars} characters`,
        );
      visit(value, `${path}.${key}`, depth + 1);
    }
  };
  try {
    visit(filter, field, 0);
  } catch (error) {
    if (error instanceof VectorsValidationError) throw error;
    // A throwing proxy or getter: findUnstorable names it below.
  }
  const unstorable = findUnstorable(filter);
  if (unstorable) throw new VectorsValidationError(joinInputPath(field, unstorable.path), unstorable.rule);
  return filter as Schemas['Filter'];
}

/**
 * The characters of the strings (keys and values) in plain, non-circular data, counted until they
 * pass `limit`: a lower bound of its UTF-8 JSON size that costs nothing on a huge string (where
 * `JSON.stringify` takes hundreds of milliseconds).
 */
export function stringCharsOver(value: unknown, limit: number): boolean {
  let total = 0;
  const visit = (v: unknown): boolean => {
    if (typeof v === 'string') {
      total += v.length;
      return total > limit;
    }
    if (typeof v !== 'object' || v === null) return false;
    if (Array.isArray(v)) return v.some(visit);
    for (const [key, item] of Object.entries(v)) {
      total += key.length;
      if (total > limit || visit(item)) return true;
    }
    return false;
  };
  return visit(value);
}

/** An array of at most `max` items, or a validation error. */
export function checkList<T>(value: unknown, field: string, max: number, what: string): readonly T[] {
  if (!Array.isArray(value)) throw new VectorsValidationError(field, `must be an array of ${what}`);
  if (value.length > max) throw new VectorsValidationError(field, `must hold at most ${max} ${what}`);
  return value as readonly T[];
}
