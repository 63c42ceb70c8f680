/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of legacy messages (magic 0/1). */
let table: Int32Array | null = null;

function buildTable(): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[i] = c;
  }
  return t;
}

export function crc32(data: Uint8Array): number {
  table ??= buildTable();
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
