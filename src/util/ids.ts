/**
 * Kafka-style identifiers: 16 random bytes shown as 22 characters of URL-safe base64 without
 * padding. Like Kafka, never all-zero, never the reserved id 1, and never starting with '-'
 * (so they can be passed on a command line).
 */
import { randomBytes } from 'node:crypto';

export function randomUuid(): Buffer {
  for (;;) {
    const b = randomBytes(16);
    const zeroOrReserved = b.subarray(0, 15).every((x) => x === 0) && b[15]! <= 1;
    if (!zeroOrReserved && !toBase64Url(b).startsWith('-')) return b;
  }
}

export const toBase64Url = (b: Buffer): string => b.toString('base64url');

export function fromBase64Url(s: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(s)) return null;
  const b = Buffer.from(s, 'base64url');
  return b.length === 16 ? b : null;
}

export const ZERO_UUID = Buffer.alloc(16);
export const isZeroUuid = (b: Buffer): boolean => b.equals(ZERO_UUID);
