/**
 * Request and response headers.
 *
 * Request header v1 is `api_key, api_version, correlation_id, client_id`; v2 (every flexible
 * request version) adds a tagged-field section but keeps client_id's int16 length, which is what
 * lets a broker read any request's header before it knows the API's flexible versions.
 * Response header v0 is the correlation id; v1 adds tagged fields, except that ApiVersions
 * responses always use v0 so that a client can parse them before negotiating.
 */
import { Reader, Writer } from './primitives.js';
import { API_BY_KEY } from './apis/index.js';
import { isFlexible, skipTaggedFields } from './schema.js';

export const API_VERSIONS_KEY = 18;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** True when this request version is flexible (header v2). Unknown keys are treated as not flexible. */
export function requestIsFlexible(apiKey: number, apiVersion: number): boolean {
  const api = API_BY_KEY.get(apiKey);
  return !!api && isFlexible(api, apiVersion);
}

export function responseHeaderIsFlexible(apiKey: number, apiVersion: number): boolean {
  return apiKey !== API_VERSIONS_KEY && requestIsFlexible(apiKey, apiVersion);
}

export function writeRequestHeader(w: Writer, h: RequestHeader): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).string(h.clientId);
  if (requestIsFlexible(h.apiKey, h.apiVersion)) w.uvarint(0);
}

/**
 * Reads the fixed part of a request header. The tagged section (header v2) is consumed only when
 * the API and version are known to be flexible; callers reject unknown versions before the body.
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function skipRequestHeaderTags(r: Reader, h: RequestHeader): void {
  if (requestIsFlexible(h.apiKey, h.apiVersion)) skipTaggedFields(r);
}

export function writeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  w.int32(correlationId);
  if (responseHeaderIsFlexible(apiKey, apiVersion)) w.uvarint(0);
}

export function readResponseHeader(r: Reader, apiKey: number, apiVersion: number): number {
  const correlationId = r.int32();
  if (responseHeaderIsFlexible(apiKey, apiVersion)) skipTaggedFields(r);
  return correlationId;
}
