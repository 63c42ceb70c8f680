/**
 * Random Kafka-style ids (topic ids, cluster ids). Like Kafka: never all-zero, never the
 * reserved id 1, and never starting with '-' in base64 (so they can be passed on a command line).
 */
import { randomBytes } from 'node:crypto';
import { toBase64Url } from './ids.js';

export function randomUuid(): Buffer {
  for (;;) {
    const b = randomBytes(16);
    const zeroOrReserved = b.subarray(0, 15).every((x) => x === 0) && b[15]! <= 1;
    if (!zeroOrReserved && !toBase64Url(b).startsWith('-')) return b;
  }
}
