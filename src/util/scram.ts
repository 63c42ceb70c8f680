/**
 * SCRAM arithmetic (RFC 5802, RFC 7677) shared by the client (proving a password) and the broker
 * (verifying it from stored keys) and by the tools that create credentials. No I/O.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Kafka's ScramMechanism type codes (DescribeUserScramCredentials / AlterUserScramCredentials). */
export const SCRAM_TYPE: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
export const mechanismOfType = (type: number): ScramMechanism | undefined => (type === 1 ? 'SCRAM-SHA-256' : type === 2 ? 'SCRAM-SHA-512' : undefined);

/** Kafka's lower bound for iterations (4096) and its upper bound (16384). */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', length: 32 },
  'SCRAM-SHA-512': { name: 'sha512', length: 64 },
};

export const isScramMechanism = (m: string): m is ScramMechanism => m === 'SCRAM-SHA-256' || m === 'SCRAM-SHA-512';

export const hmac = (m: ScramMechanism, key: Buffer, data: string | Buffer): Buffer => createHmac(HASH[m].name, key).update(data).digest();
export const hash = (m: ScramMechanism, data: Buffer): Buffer => createHash(HASH[m].name).update(data).digest();

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC. */
export const saltedPassword = (m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer =>
  pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, HASH[m].length, HASH[m].name);

export const clientKey = (m: ScramMechanism, salted: Buffer): Buffer => hmac(m, salted, 'Client Key');
export const serverKey = (m: ScramMechanism, salted: Buffer): Buffer => hmac(m, salted, 'Server Key');
export const storedKey = (m: ScramMechanism, key: Buffer): Buffer => hash(m, key);

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Constant-time comparison of two keys. */
export const sameKey = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** What a broker stores for a password: never the password or the salted password itself. */
export function credentialFor(m: ScramMechanism, password: string, iterations: number, salt: Buffer = randomBytes(32)) {
  const salted = saltedPassword(m, password, salt, iterations);
  return { mechanism: m, iterations, salt, storedKey: storedKey(m, clientKey(m, salted)), serverKey: serverKey(m, salted), salted };
}

/** RFC 5802 saslname: ',' and '=' are escaped as =2C and =3D. */
export const encodeSaslName = (s: string): string => s.replace(/=/g, '=3D').replace(/,/g, '=2C');
export function decodeSaslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** A client or server nonce: printable, no ','. */
export const nonce = (): string => randomBytes(24).toString('base64').replace(/[+/=]/g, (c) => ({ '+': '-', '/': '_', '=': '' })[c]!);

/** Parses `a=1,b=2` SCRAM attribute lists (values may contain '='). */
export function parseAttributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i !== 1) throw new Error(`invalid SCRAM attribute '${part.slice(0, 20)}'`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}
