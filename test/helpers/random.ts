/**
 * A seeded pseudo-random sequence for tests: a 32-bit LCG in integer arithmetic (Math.imul), its
 * state mixed before use. The usual `(seed * 1103515245 + 12345) % 2 ** 31` in doubles loses the
 * product's low bits past 2^53, and an LCG's low bits repeat with a short period anyway (bit k
 * every 2^(k+1) steps): such a sequence took three values where a test meant twelve, and missed a
 * storage bug for it.
 */
export function seeded(seed: number) {
  let s = seed >>> 0;
  /** The next 31 random bits. */
  const bits = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    let z = s ^ (s >>> 16);
    z = Math.imul(z, 0x45d9f3b);
    return (z ^ (z >>> 16)) >>> 1;
  };
  return {
    bits,
    /** An integer in [0, n). */
    int: (n: number): number => Math.floor((bits() / 2 ** 31) * n),
    /** A number in [0, 1). */
    float: (): number => bits() / 2 ** 31,
  };
}
