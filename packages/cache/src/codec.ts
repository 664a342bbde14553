// Cached values on the wire: [MAGIC, flags, …body]. flags & 0x0f is the format (1 msgpack,
// 2 JSON, 3 JSON with Dates), flags & 0x80 marks a deflated body. Anything else is corrupt:
// callers treat it as a miss and delete it.
//
// Format `auto` picks per value: JSON.parse decodes a small object in about half the time msgpackr
// takes, so a value JSON represents exactly is written as JSON; one that holds Dates as
// `[value with each Date as epoch ms, paths of the Dates]` (format 3, the Dates revived on read);
// anything JSON would change (bigint, bytes, undefined, NaN/±Infinity, an invalid Date) as msgpack.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { CacheValidationError } from './errors.js';

export type ValueFormat = 'auto' | 'msgpack' | 'json';

const MAGIC = 0xca;
const FORMAT_MSGPACK = 0x01;
const FORMAT_JSON = 0x02;
const FORMAT_JSON_DATES = 0x03;
const DEFLATED = 0x80;

// Records (shared structures) would tie readers to the writer's process: plain maps only.
const packr = new Packr({ useRecords: false, moreTypes: false });

export interface CodecOptions {
  format: ValueFormat;
  /** Bodies larger than this (bytes) are deflated. */
  compressAboveBytes: number;
}

/** Why a value cannot be cached, or undefined when it can. Walks the value once. */
function unserializable(
  value: unknown,
  format: ValueFormat,
  path: string,
  seen: Set<object>,
): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return format === 'json' && !Number.isFinite(value)
        ? `${path} is ${value} (JSON has no such number)`
        : undefined;
    case 'bigint':
      return format === 'json' ? `${path} is a bigint (use msgpack)` : undefined;
    case 'undefined':
      return path === 'value' ? 'value is undefined' : undefined;
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
  }
  if (value === null || value instanceof Date || value instanceof Uint8Array) return undefined;
  const object = value as object;
  if (seen.has(object)) return `${path} is circular`;
  const proto = Object.getPrototypeOf(object);
  if (!Array.isArray(object) && proto !== Object.prototype && proto !== null) {
    return `${path} is a ${proto?.constructor?.name ?? 'class instance'} (only plain objects, arrays, dates, bytes)`;
  }
  seen.add(object);
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) {
      const why = unserializable(object[i], format, `${path}[${i}]`, seen);
      if (why) return why;
    }
  } else {
    for (const [k, v] of Object.entries(object)) {
      const why = unserializable(v, format, `${path}.${k}`, seen);
      if (why) return why;
    }
  }
  seen.delete(object);
  return undefined;
}

/**
 * Serializes a value for the cache, or throws a CacheValidationError naming what cannot be serialized.
 * @example
 * const bytes = encodeValue({ a: 1 }, { format: 'msgpack', compressAboveBytes: 1024 });
 */
export function encodeValue(value: unknown, options: CodecOptions): Buffer {
  const encoded = encodeForWrite(value, options);
  if (Buffer.isBuffer(encoded)) return encoded;
  const body = Buffer.from(encoded.text, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 2);
  out[0] = MAGIC;
  out[1] = encoded.flags;
  body.copy(out, 2);
  return out;
}

/** A JSON value left as text: the writer sends it as is and the script prepends [MAGIC, flags]. */
export interface EncodedText {
  flags: number;
  text: string;
}

/**
 * Like `encodeValue`, but an uncompressed JSON body stays a string (`{ flags, text }`): a command
 * whose arguments are all strings is built as one string by ioredis, cheaper than the buffer
 * assembly a single Buffer argument forces (the write path's client cost).
 * @example
 * encodeForWrite({ a: 1 }, { format: 'auto', compressAboveBytes: 1024 }) // { flags: 2, text: '{"a":1}' }
 */
export function encodeForWrite(value: unknown, options: CodecOptions): Buffer | EncodedText {
  const strictJson = options.format === 'json';
  const why = unserializable(value, strictJson ? 'json' : 'msgpack', 'value', new Set());
  if (why) throw new CacheValidationError('value', `cannot be serialized: ${why}`);
  let body: Buffer | string;
  let flags: number;
  try {
    const dates = options.format === 'auto' ? datePathsIfJsonExact(value, [], []) : undefined;
    if (strictJson || (dates !== undefined && dates.length === 0)) {
      body = JSON.stringify(value);
      flags = FORMAT_JSON;
    } else if (dates !== undefined) {
      body = JSON.stringify([value, dates], datesAsEpochMs);
      flags = FORMAT_JSON_DATES;
    } else {
      body = packr.pack(value);
      flags = FORMAT_MSGPACK;
    }
  } catch (error) {
    throw new CacheValidationError('value', `cannot be serialized: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof body === 'string') {
    // A UTF-16 length at or below the threshold cannot have more UTF-8 bytes than 3 per unit.
    if (
      body.length * 3 <= options.compressAboveBytes ||
      Buffer.byteLength(body) <= options.compressAboveBytes
    ) {
      return { flags, text: body };
    }
    body = Buffer.from(body, 'utf8');
  }
  if (body.length > options.compressAboveBytes) {
    body = deflateRawSync(body);
    flags |= DEFLATED;
  }
  const out = Buffer.allocUnsafe(body.length + 2);
  out[0] = MAGIC;
  out[1] = flags;
  body.copy(out, 2);
  return out;
}

type Path = Array<string | number>;

/**
 * The paths of the Dates in `value` when JSON (with those Dates as epoch ms) gives back exactly
 * `value`, else undefined. `value` already passed `unserializable` (no cycles, plain objects).
 */
function datePathsIfJsonExact(value: unknown, path: Path, dates: Path[]): Path[] | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return dates;
    case 'number':
      return Number.isFinite(value) ? dates : undefined;
    case 'object':
      break;
    default:
      // bigint, and undefined (JSON drops the key or writes null)
      return undefined;
  }
  if (value === null) return dates;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    dates.push([...path]);
    return dates;
  }
  if (value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // A hole reads as undefined: msgpack keeps it, JSON would write null.
      if (!(i in value)) return undefined;
      path.push(i);
      const ok = datePathsIfJsonExact(value[i], path, dates);
      path.pop();
      if (!ok) return undefined;
    }
    return dates;
  }
  for (const key of Object.keys(value)) {
    // A date path through `__proto__` would walk into the prototype on revival: msgpack instead.
    if (key === '__proto__') return undefined;
    path.push(key);
    const ok = datePathsIfJsonExact((value as Record<string, unknown>)[key], path, dates);
    path.pop();
    if (!ok) return undefined;
  }
  return dates;
}

/** JSON.stringify replacer: a Date (already turned into its ISO string by toJSON) as epoch ms. */
function datesAsEpochMs(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Date ? original.getTime() : value;
}

/** Format 3: `[value, paths]`; puts each Date back at its path (throws on a malformed body). */
function reviveDates(wrapped: unknown): unknown {
  if (!Array.isArray(wrapped) || wrapped.length !== 2 || !Array.isArray(wrapped[1])) {
    throw new Error('not a JSON-with-dates body');
  }
  let value = wrapped[0] as unknown;
  for (const path of wrapped[1] as Path[]) {
    if (!Array.isArray(path)) throw new Error('bad date path');
    if (path.length === 0) {
      value = dateOf(value);
      continue;
    }
    let parent = value as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]!] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (typeof parent !== 'object' || parent === null || !Object.hasOwn(parent, last)) {
      throw new Error('bad date path');
    }
    parent[last] = dateOf(parent[last]);
  }
  return value;
}

function dateOf(ms: unknown): Date {
  if (typeof ms !== 'number') throw new Error('bad date');
  return new Date(ms);
}

/** Marker for bytes that are not a value this package wrote. */
export const CORRUPT: unique symbol = Symbol('corrupt cache value');

/**
 * Reads bytes written by `encodeValue` (either format, compressed or not); returns CORRUPT for
 * anything else instead of throwing.
 * @example
 * const v = decodeValue(bytes); if (v === CORRUPT) { … }
 */
export function decodeValue(bytes: Buffer): unknown {
  if (bytes.length < 3 || bytes[0] !== MAGIC) return CORRUPT;
  const flags = bytes[1]!;
  const format = flags & 0x7f;
  try {
    if (flags & DEFLATED) {
      const body = inflateRawSync(bytes.subarray(2));
      if (format === FORMAT_MSGPACK) return packr.unpack(body);
      if (format === FORMAT_JSON) return JSON.parse(body.toString('utf8'));
      if (format === FORMAT_JSON_DATES) return reviveDates(JSON.parse(body.toString('utf8')));
      return CORRUPT;
    }
    // Offsets instead of subarray(2): no view object per read.
    if (format === FORMAT_JSON) return JSON.parse(bytes.toString('utf8', 2));
    if (format === FORMAT_JSON_DATES) return reviveDates(JSON.parse(bytes.toString('utf8', 2)));
    if (format === FORMAT_MSGPACK) return packr.unpack(bytes, { start: 2 });
    return CORRUPT;
  } catch {
    return CORRUPT;
  }
}
