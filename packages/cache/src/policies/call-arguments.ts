// The arguments of a policy call, checked and turned into what the scripts take: the key into
// its member (escaped parts joined by `:`), the options into a TTL in ms, escaped tags and a
// stale window. Bad input throws CacheValidationError naming the field; nothing here touches Redis.
import { unstorableTextRule } from '@monsteros/schema';
import { CacheValidationError } from '../errors.js';
import { escapeKeyPart } from '../keys.js';
import { check, KeyPart, TtlSeconds } from '../validation.js';

/** Options of `set`. */
export interface SetOptions {
  /** Overrides the namespace's TTL for this entry. */
  ttlSeconds?: number;
  /** Tags to invalidate the entry by later (e.g. `character:sage`). */
  tags?: string[];
}

/** Options of `getOrSet`. */
export interface GetOrSetOptions extends SetOptions {
  /** Overrides the namespace's stale-while-revalidate window. */
  staleWhileRevalidateSeconds?: number;
}

/** The key parts of a namespace, in key order, and the fixed suffix of its members. */
export interface KeyShape {
  readonly parts: readonly string[];
  readonly suffix: string;
}

function validateKeyPart(value: unknown, field: string): string {
  // Hand-written rather than zod: this runs on every hit, and the bench holds it to raw GET speed.
  if (typeof value !== 'string') throw new CacheValidationError(field, 'must be a string');
  if (value.length === 0) throw new CacheValidationError(field, 'must not be empty');
  if (value.length > 512) throw new CacheValidationError(field, 'must be at most 512 characters');
  const escaped = escapeKeyPart(value);
  // Only a part with characters outside [A-Za-z0-9_.-] can hold NUL or a lone surrogate (which
  // UTF-8 would turn into U+FFFD, making two distinct keys one).
  if (escaped !== value) {
    const rule = unstorableTextRule(value);
    if (rule) throw new CacheValidationError(field, rule);
  }
  return escaped;
}

/**
 * The member of a key: its escaped parts joined by `:`, then the namespace's suffix.
 * @example memberOf({ parts: ['userId'], suffix: ':prefs' }, { userId: 'u 1' }) // 'u%201:prefs'
 */
export function memberOf(shape: KeyShape, key: unknown): string {
  if (typeof key !== 'object' || key === null) throw new CacheValidationError('key', 'must be an object');
  const record = key as Record<string, unknown>;
  let member = '';
  for (let i = 0; i < shape.parts.length; i++) {
    const part = shape.parts[i]!;
    let value: unknown;
    try {
      value = record[part];
    } catch {
      throw new CacheValidationError(`key.${part}`, 'must be plain data (reading it threw)');
    }
    member += (i === 0 ? '' : ':') + validateKeyPart(value, `key.${part}`);
  }
  return member + shape.suffix;
}

/** The lifetime of an entry in ms: its TTL (the option or the namespace's) plus the stale window. */
export function ttlMsOf(
  defaultTtlSeconds: number,
  options: SetOptions | undefined,
  swrSeconds: number,
): number {
  const seconds =
    options?.ttlSeconds === undefined
      ? defaultTtlSeconds
      : check(TtlSeconds, options.ttlSeconds, 'ttlSeconds');
  return Math.max(1, Math.round((seconds + swrSeconds) * 1000));
}

/** The entry's tags, escaped like key parts. */
export function tagsOf(options: SetOptions | undefined): string[] {
  if (options?.tags === undefined) return [];
  if (!Array.isArray(options.tags)) throw new CacheValidationError('tags', 'must be an array of strings');
  return options.tags.map((t, i) => escapeKeyPart(check(KeyPart, t, `tags[${i}]`)));
}

/** The stale-while-revalidate window in seconds: the option or the namespace's. */
export function swrSecondsOf(defaultSeconds: number, options: GetOrSetOptions | undefined): number {
  if (options?.staleWhileRevalidateSeconds === undefined) return defaultSeconds;
  const s = options.staleWhileRevalidateSeconds;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
    throw new CacheValidationError(
      'staleWhileRevalidateSeconds',
      'must be a number of seconds, not negative',
    );
  }
  return s;
}
