/**
 * A 32-bit float as the shortest decimal that reads back as the same float: what Java's
 * Float.toString, and so Avro's and protobuf's JSON encoders, print (0.1, where the float widened
 * to a double prints as 0.10000000149011612). Nine significant digits always suffice.
 */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || (Number.isInteger(v) && Math.abs(v) <= 2 ** 24)) return v;
  for (let digits = 1; digits < 9; digits++) {
    const n = Number(v.toPrecision(digits));
    if (Math.fround(n) === v) return n;
  }
  return Number(v.toPrecision(9));
}
