import { joinInputPath, parseInput, unstorableTextRule } from '@monsteros/schema';
import type { z } from 'zod';
import { COLLECTION_SPECS } from './collections.js';
import { VectorsValidationError } from './errors.js';
import { isUuid } from './ids.js';
import { VECTORS_LIMITS } from './limits.js';
import type { CollectionName } from './payloads.js';

/** Parses with zod; the first issue becomes a `VectorsValidationError` naming `field.path` and the rule. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = parseInput(schema, value);
  if (result.ok) return result.data;
  const { path, rule } = result.problem;
  let at: unknown = value;
  try {
    for (const key of path)
      at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  } catch {
    at = null; // a throwing read: the rule already says so
  }
  throw new VectorsValidationError(joinInputPath(field, path), at === undefined ? 'is required' : rule);
}

/** A known MonsterOS collection name, or a validation error. */
export function checkCollection(name: unknown, field = 'collection'): CollectionName {
  if (typeof name !== 'string' || !Object.hasOwn(COLLECTION_SPECS, name))
    throw new VectorsValidationError(
      field,
      `unknown collection ${JSON.stringify(name)}; expected one of ${Object.keys(COLLECTION_SPECS).join(', ')}`,
    );
  return name as CollectionName;
}

/** A non-empty text (after trimming), or a validation error. */
export function checkText(text: unknown, field: string): string {
  if (typeof text !== 'string') throw new VectorsValidationError(field, 'must be a string');
  if (text.length > VECTORS_LIMITS.textChars)
    throw new VectorsValidationError(field, `must be at most ${VECTORS_LIMITS.textChars} characters`);
  if (text.trim().length === 0) throw new VectorsValidationError(field, 'must not be empty');
  const rule = unstorableTextRule(text);
  if (rule) throw new VectorsValidationError(field, rule);
  return text;
}

/** A vector of `dims` finite numbers, returned as a plain array for the JSON body. */
export function checkVector(vector: unknown, dims: number, field: string): number[] {
  const v = checkVectorLike(vector, dims, field);
  return Array.isArray(v) ? [...v] : Array.from(v);
}

/** `checkVector` without the copy: the caller's array (number[], Float32Array, Float64Array) itself. */
export function checkVectorLike(
  vector: unknown,
  dims: number,
  field: string,
): number[] | Float32Array | Float64Array {
  if (!(Array.isArray(vector) || vector instanceof Float32Array || vector instanceof Float64Array))
    throw new VectorsValidationError(field, 'must be an array of numbers');
  const v = vector as ArrayLike<number>;
  if (v.length !== dims)
    throw new VectorsValidationError(field, `must have ${dims} dimensions, got ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new VectorsValidationError(`${field}[${i}]`, 'must be a finite number (no NaN or Infinity)');
  }
  return vector as number[] | Float32Array | Float64Array;
}

/** A UUID, or a validation error. */
export function checkUuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isUuid(value)) throw new VectorsValidationError(field, 'must be a UUID');
  return value.toLowerCase();
}

/** A positive integer (with an upper bound), or a validation error. */
export function checkCount(value: unknown, field: string, max = 10_000): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new VectorsValidationError(field, `must be an integer from 1 to ${max}`);
  return value;
}
