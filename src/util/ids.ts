/**
 * Kafka-style identifiers: 16 bytes shown as 22 characters of URL-safe base64 without padding.
 */

export const toBase64Url = (b: Buffer): string => b.toString('base64url');

export function fromBase64Url(s: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(s)) return null;
  const b = Buffer.from(s, 'base64url');
  return b.length === 16 ? b : null;
}

export const ZERO_UUID = Buffer.alloc(16);
export const isZeroUuid = (b: Buffer): boolean => b.equals(ZERO_UUID);
