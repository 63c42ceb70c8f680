/** Java's integral ranges, for options Kafka's tools read as Long or Integer. */

/**
 * Whether `text` (digits with an optional sign, blanks around allowed) fits Java's long or int: a
 * value beyond the range is refused by Long.valueOf / Integer.valueOf as other text is.
 */
export function fitsJava(text: string, kind: 'long' | 'int'): boolean {
  const v = BigInt(text.trim());
  const bits = kind === 'long' ? 63n : 31n;
  return v >= -(2n ** bits) && v < 2n ** bits;
}
