/**
 * CRC-32C (Castagnoli), the checksum of record batch v2.
 *
 * Uses the native @node-rs/crc32 package; a table-driven JavaScript implementation is the fallback
 * when the native module cannot be loaded on this platform. The native module is loaded on the
 * first checksum, not when this module loads: opening it costs a short command (which never
 * checksums a batch) several milliseconds of start-up.
 */
import { createRequire } from 'node:module';

type Crc32c = (data: Uint8Array, initial?: number) => number;

function loadNative(): Crc32c | null {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: (b: Uint8Array, init?: number) => number };
    if (mod.crc32c(Buffer.from('123456789')) !== 0xe3069283) return null;
    return (data, initial = 0) => mod.crc32c(data, initial) >>> 0;
  } catch {
    return null;
  }
}

/** Slice-by-8 tables for the reflected polynomial 0x82F63B78. */
function buildTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 8; t++) {
      const prev = tables[t - 1]![i]!;
      tables[t]![i] = (prev >>> 8) ^ tables[0]![prev & 0xff]!;
    }
  }
  return tables;
}

let tables: Uint32Array[] | null = null;

/** Pure JavaScript CRC-32C; exported for tests and as the fallback. */
export function crc32cJs(data: Uint8Array, initial = 0): number {
  tables ??= buildTables();
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = ~initial >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 8 <= n; i += 8) {
    const a = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < n; i++) crc = t0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

let impl: Crc32c | undefined;

export const crc32c: Crc32c = (data, initial = 0) => (impl ??= loadNative() ?? crc32cJs)(data, initial);

/** Whether checksums use the native module (loading it if not tried yet). */
export function crc32cIsNative(): boolean {
  impl ??= loadNative() ?? crc32cJs;
  return impl !== crc32cJs;
}
