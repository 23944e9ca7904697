/**
 * `value` to twelve significant digits, as `Number(value.toPrecision(12))` gives it: sums of prices
 * carry float noise (0.00044720000000000003) that means nothing. Every item's cost goes through it,
 * and toPrecision makes a string and parses it back (5% of bench/engine-overhead's time per item), so
 * the digits are rounded in floating point where that gives the same number, and through the string
 * only near a tie or outside the range the scaling is exact in.
 */
export function twelveDigits(value: number): number {
  if (value === 0) return 0;
  // 10^digits is exact up to 10^22; Math.log10 may be one off next to a power of ten, which the
  // range check on `scaled` catches.
  const digits = 11 - Math.floor(Math.log10(Math.abs(value)));
  if (digits >= 0 && digits <= 22) {
    const scale = 10 ** digits;
    const scaled = value * scale;
    const size = Math.abs(scaled);
    const whole = Math.round(scaled);
    // The product is within an ulp (1.2e-4 below 1e12) of the exact one: away from a tie, it rounds to
    // the same twelve digits, and their quotient by an exact power of ten is the double nearest them.
    if (size >= 1e11 && size < 1e12 && Math.abs(scaled - whole) < 0.499) return whole / scale;
  }
  return Number(value.toPrecision(12));
}
