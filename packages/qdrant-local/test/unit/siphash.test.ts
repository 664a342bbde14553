import { describe, expect, it } from 'vitest';
import { siphash24 } from '../../src/filter/siphash.js';

// The reference vectors of the SipHash paper (key 00 01 … 0f, message 00 01 … of length n).
const KEY0 = 0x0706050403020100n;
const KEY1 = 0x0f0e0d0c0b0a0908n;
const message = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe('SipHash-2-4 (the slice condition’s hash)', () => {
  it.each([
    [0, 0x726fdb47dd0e0e31n],
    [1, 0x74f839c593dc67fdn],
    [7, 0xab0200f58b01d137n],
    [8, 0x93f5f5799a932462n],
    [15, 0xa129ca6149be45e5n],
  ])('matches the reference vector for a %i-byte message', (n, expected) => {
    expect(siphash24(message(n), KEY0, KEY1)).toBe(expected);
  });
});
