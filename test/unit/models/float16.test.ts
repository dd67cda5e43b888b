// float32 → float16 rounding of the FP16 variants' weights (main/convert/float16.ts): IEEE half bits,
// nearest-even rounding, subnormals, and the clamp to the largest finite half for weights beyond it.
import { describe, expect, it } from 'vitest';
import { halfBits, halfValue } from '../../../main/convert/float16.js';

describe('float16 conversion', () => {
  it('gives the IEEE half bits of exact values', () => {
    expect(halfBits(0)).toBe(0x0000);
    expect(halfBits(-0)).toBe(0x8000);
    expect(halfBits(1)).toBe(0x3c00);
    expect(halfBits(-2)).toBe(0xc000);
    expect(halfBits(0.5)).toBe(0x3800);
    expect(halfBits(65504)).toBe(0x7bff);
    expect(halfBits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(halfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
  });

  it('rounds to nearest, ties to even, and clamps beyond the half range instead of overflowing', () => {
    expect(halfBits(0.1)).toBe(0x2e66);
    expect(halfBits(1 + 2 ** -11)).toBe(0x3c00); // a tie: to the even 1.0
    expect(halfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie: to the even mantissa 2
    expect(halfBits(2047.9)).toBe(halfBits(2048)); // the carry into the exponent
    expect(halfBits(1e6)).toBe(0x7bff);
    expect(halfBits(-1e6)).toBe(0xfbff);
    expect(halfBits(2 ** -26)).toBe(0); // below half the smallest subnormal
    expect(halfBits(Infinity)).toBe(0x7c00);
    expect(Number.isNaN(halfValue(halfBits(NaN)))).toBe(true);
  });

  it('round-trips within half precision (relative error ≤ 2^-11 for normal values)', () => {
    for (const v of [3.14159, -123.456, 0.000123, 7777, 1 / 3]) {
      expect(Math.abs(halfValue(halfBits(v)) - v) / Math.abs(v)).toBeLessThanOrEqual(2 ** -11);
    }
    for (let bits = 0; bits < 0x7c00; bits += 97) expect(halfBits(halfValue(bits))).toBe(bits); // every 97th finite half
  });
});
