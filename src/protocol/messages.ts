/**
 * Whole messages: size prefix + header + body, in both directions. No I/O here; transports
 * move the resulting buffers.
 */
import { Reader, Writer } from './primitives.js';
import { readResponseHeader, writeRequestHeader, writeResponseHeader } from './headers.js';
import { type ApiDef, type Struct, compileStruct, isFlexible, checkVersion } from './schema.js';

/** Prepends the int32 frame size to a list of chunks. */
export function frame(chunks: Buffer[]): Buffer[] {
  let size = 0;
  for (const c of chunks) size += c.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  return [prefix, ...chunks];
}

export function encodeRequest(api: ApiDef, version: number, correlationId: number, clientId: string | null, body: Struct): Buffer[] {
  checkVersion(api, version);
  const w = new Writer(256);
  writeRequestHeader(w, { apiKey: api.key, apiVersion: version, correlationId, clientId });
  compileStruct(api.request, version, isFlexible(api, version)).encode(w, body);
  return frame(w.toChunks());
}

export function decodeRequestBody(api: ApiDef, version: number, r: Reader): Struct {
  return compileStruct(api.request, version, isFlexible(api, version)).decode(r);
}

export function encodeResponse(api: ApiDef, version: number, correlationId: number, body: Struct): Buffer[] {
  const w = new Writer(256);
  writeResponseHeader(w, api.key, version, correlationId);
  compileStruct(api.response, version, isFlexible(api, version)).encode(w, body);
  return frame(w.toChunks());
}

/** Decodes a response frame payload (without the size prefix). */
export function decodeResponse(api: ApiDef, version: number, payload: Buffer): { correlationId: number; body: Struct } {
  const r = new Reader(payload);
  const correlationId = readResponseHeader(r, api.key, version);
  const body = compileStruct(api.response, version, isFlexible(api, version)).decode(r);
  return { correlationId, body };
}

export function encodeBody(fields: ApiDef['request'], flexible: boolean, version: number, body: Struct): Buffer {
  const w = new Writer(256);
  compileStruct(fields, version, flexible).encode(w, body);
  return w.toBuffer();
}
