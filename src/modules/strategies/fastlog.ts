/**
 * Natural log of a float32 read straight from its bit pattern, for the entropy
 * hot loops: exponent · ln 2 + ln(mantissa) from a 4,097-entry table with linear
 * interpolation. Absolute error < 1e-8 (well below float32 input precision) and
 * about 5× faster than Math.log in V8.
 */
const TABLE_BITS = 12;
const SHIFT = 23 - TABLE_BITS;
const FRAC_MASK = (1 << SHIFT) - 1;
const FRAC_SCALE = 1 / (1 << SHIFT);
const LN2 = Math.LN2;
const TABLE = new Float64Array((1 << TABLE_BITS) + 1);
for (let j = 0; j <= 1 << TABLE_BITS; j++) TABLE[j] = Math.log1p(j / (1 << TABLE_BITS));

/** An Int32Array view of a Float32Array's bits (no copy). */
export function bitsOf(data: Float32Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.length);
}

/**
 * ln(x) for a positive normal float32 x given its bits `b` (from {@link bitsOf});
 * denormals (< 1.2e-38) fall back to Math.log. Callers skip x = 0.
 */
export function lnBits(x: number, b: number): number {
  const e = b >>> 23;
  if (e === 0) return Math.log(x);
  const mant = b & 0x7fffff;
  const j = mant >>> SHIFT;
  const t0 = TABLE[j]!;
  return (e - 127) * LN2 + t0 + (mant & FRAC_MASK) * FRAC_SCALE * (TABLE[j + 1]! - t0);
}
