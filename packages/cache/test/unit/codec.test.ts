import { describe, expect, it } from 'vitest';
import { CORRUPT, decodeValue, encodeForWrite, encodeValue, type ValueFormat } from '../../src/codec.js';

const enc = (value: unknown, format: ValueFormat = 'auto', compressAboveBytes = 1024) =>
  encodeValue(value, { format, compressAboveBytes });
const roundTrip = (value: unknown, format: ValueFormat = 'auto', compressAboveBytes = 1024) =>
  decodeValue(enc(value, format, compressAboveBytes));

describe('codec auto format', () => {
  it('writes a value JSON gives back exactly as plain JSON', () => {
    const value = { a: 1, b: 'x', c: [true, null, 2.5, -3], d: { e: '\ud800 lone surrogate' } };
    const bytes = enc(value);
    expect(bytes[1]).toBe(0x02);
    expect(JSON.parse(bytes.subarray(2).toString())).toEqual(value);
    expect(decodeValue(bytes)).toEqual(value);
  });

  it('writes Dates as epoch ms with their paths and revives them as Dates, nested and at the top', () => {
    const at = new Date(1_700_000_000_123);
    const value = { created_at: at, items: [{ at }, 'x', [at]], meta: { n: 1 } };
    const bytes = enc(value);
    expect(bytes[1]).toBe(0x03);
    const back = decodeValue(bytes) as typeof value;
    expect(back).toEqual(value);
    expect(back.created_at).toBeInstanceOf(Date);
    expect((back.items[0] as { at: Date }).at.getTime()).toBe(at.getTime());
    expect((back.items[2] as Date[])[0]).toBeInstanceOf(Date);
    const top = roundTrip(at);
    expect(top).toBeInstanceOf(Date);
    expect((top as Date).getTime()).toBe(at.getTime());
  });

  it('falls back to msgpack for what JSON would change: bigint, bytes, undefined, holes, NaN, invalid Dates', () => {
    const values: unknown[] = [
      { n: 10n },
      { b: new Uint8Array([1, 2, 3]) },
      { u: undefined },
      [1, undefined],
      // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
      [1, , 3],
      { x: Number.NaN },
      { x: Number.POSITIVE_INFINITY },
      { d: new Date(Number.NaN) },
    ];
    for (const value of values) {
      const bytes = enc(value);
      expect(
        bytes[1],
        JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toBe(0x01);
      expect(decodeValue(bytes)).toEqual(decodeValue(enc(value, 'msgpack')));
    }
    expect((roundTrip({ n: 10n }) as { n: bigint }).n).toBe(10n);
    expect(Object.hasOwn(roundTrip({ u: undefined }) as object, 'u')).toBe(true);
  });

  it('gives back what msgpack gives back for mixed values', () => {
    const values: unknown[] = [
      0,
      -0,
      2 ** 60,
      1e300,
      0.1,
      'plain',
      '',
      [],
      {},
      { nested: { deeper: [{ at: new Date(5) }, { at: new Date(6) }] } },
      Object.assign(Object.create(null), { a: 1 }),
    ];
    for (const value of values) expect(roundTrip(value)).toEqual(roundTrip(value, 'msgpack'));
  });

  it('compresses large JSON-with-dates bodies and reads them back', () => {
    const value = { text: 'long text '.repeat(500), at: new Date(42) };
    const bytes = enc(value, 'auto', 100);
    expect(bytes[1]).toBe(0x83);
    expect(bytes.length).toBeLessThan(1000);
    expect(decodeValue(bytes)).toEqual(value);
  });

  it('reads a malformed JSON-with-dates body as corrupt', () => {
    const body = (text: string) => Buffer.concat([Buffer.from([0xca, 0x03]), Buffer.from(text)]);
    expect(decodeValue(body('{"a":1}'))).toBe(CORRUPT);
    expect(decodeValue(body('[{"a":1},[["b"]]]'))).toBe(CORRUPT);
    expect(decodeValue(body('[{"a":"x"},[["a"]]]'))).toBe(CORRUPT);
    expect(decodeValue(body('[{"a":1},[["a","b","c"]]]'))).toBe(CORRUPT);
    expect(decodeValue(body('[{"a":1},[["a"]]'))).toBe(CORRUPT);
    expect(decodeValue(Buffer.from([0xca, 0x04, 0x31]))).toBe(CORRUPT);
  });
});

describe('encodeForWrite (the write path)', () => {
  const options = { format: 'auto' as const, compressAboveBytes: 64 };
  it('leaves an uncompressed JSON body as text with its flags, the same bytes encodeValue writes', () => {
    for (const value of [{ a: 1, s: 'é \ud800' }, { at: new Date(5) }]) {
      const out = encodeForWrite(value, options);
      expect(Buffer.isBuffer(out)).toBe(false);
      const { flags, text } = out as { flags: number; text: string };
      const bytes = Buffer.concat([Buffer.from([0xca, flags]), Buffer.from(text, 'utf8')]);
      expect(bytes.equals(encodeValue(value, options))).toBe(true);
    }
  });

  it('returns bytes for msgpack and for bodies above the compression threshold (counted in UTF-8 bytes)', () => {
    expect(Buffer.isBuffer(encodeForWrite({ n: 1n }, options))).toBe(true);
    // 30 characters of 3 UTF-8 bytes each: 90 bytes, above 64, though only 30 UTF-16 units.
    const wide = encodeForWrite({ s: '€'.repeat(30) }, options);
    expect(Buffer.isBuffer(wide)).toBe(true);
    expect((wide as Buffer)[1]! & 0x80).toBe(0x80);
    expect(decodeValue(wide as Buffer)).toEqual({ s: '€'.repeat(30) });
  });
});
