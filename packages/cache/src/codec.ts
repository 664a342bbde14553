// Cached values on the wire: [MAGIC, flags, …body]. flags & 0x0f is the format (1 msgpack,
// 2 JSON), flags & 0x80 marks a deflated body. Anything else is corrupt: callers treat it as a
// miss and delete it.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { ValidationError } from './errors.js';

export type ValueFormat = 'msgpack' | 'json';

const MAGIC = 0xca;
const FORMAT_MSGPACK = 0x01;
const FORMAT_JSON = 0x02;
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
 * Serializes a value for the cache, or throws a ValidationError naming what cannot be serialized.
 * @example
 * const bytes = encodeValue({ a: 1 }, { format: 'msgpack', compressAboveBytes: 1024 });
 */
export function encodeValue(value: unknown, options: CodecOptions): Buffer {
  const why = unserializable(value, options.format, 'value', new Set());
  if (why) throw new ValidationError('value', `cannot be serialized: ${why}`);
  let body: Buffer;
  try {
    body = options.format === 'json' ? Buffer.from(JSON.stringify(value), 'utf8') : packr.pack(value);
  } catch (error) {
    throw new ValidationError('value', `cannot be serialized: ${(error as Error).message}`, { cause: error });
  }
  let flags = options.format === 'json' ? FORMAT_JSON : FORMAT_MSGPACK;
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
  if (format !== FORMAT_MSGPACK && format !== FORMAT_JSON) return CORRUPT;
  try {
    let body = bytes.subarray(2);
    if (flags & DEFLATED) body = inflateRawSync(body);
    return format === FORMAT_JSON ? JSON.parse(body.toString('utf8')) : packr.unpack(body);
  } catch {
    return CORRUPT;
  }
}
