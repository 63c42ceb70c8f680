/**
 * Routes request frames to handlers: reads the header, checks the API key and version against
 * the registered handlers, decodes the body with the API's schema, runs the handler and encodes
 * its response.
 *
 * Kafka's rules for bad requests: an unsupported ApiVersions version gets a v0 response with
 * UNSUPPORTED_VERSION and ApiVersions' own range (so the client can retry lower); any other
 * unknown API key, unsupported version or undecodable request (truncated, or null in a
 * non-nullable field) closes the connection, logged as one WARN line. A handler that fails
 * unexpectedly, or returns a response that cannot be encoded, gets UNKNOWN_SERVER_ERROR for that
 * request (Kafka's `getErrorResponse`, see error-response.ts) and the connection stays open,
 * except for Produce with acks=0, which has no response to carry it: Kafka closes the connection
 * then.
 */
import { ApiVersions, Produce } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { API_VERSIONS_KEY, readRequestHeader, skipRequestHeaderTags } from '../protocol/headers.js';
import { decodeRequestBody, encodeResponse } from '../protocol/messages.js';
import { Reader } from '../protocol/primitives.js';
import type { ApiDef } from '../protocol/schema.js';
import { CloseConnection } from '../transport/server.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { errorResponse } from './error-response.js';
import { saslGate } from './security/sasl-session.js';
import type { Handler, RequestContext } from './handler.js';

/** Thrown to make the transport close the connection (Kafka's response to a bad request). */
export { CloseConnection } from '../transport/server.js';

export interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export type ConnectionContext = Omit<RequestContext, 'apiVersion' | 'correlationId' | 'clientId' | 'advertisedApis'>;

export class Router {
  private readonly handlers = new Map<number, Handler>();
  readonly advertised: ApiRange[];

  constructor(
    handlers: readonly Handler[],
    private readonly log: Logger = silentLogger,
  ) {
    for (const h of handlers) {
      if (this.handlers.has(h.api.key)) throw new Error(`two handlers for API key ${h.api.key}`);
      if (h.minVersion < h.api.versions[0] || h.maxVersion > h.api.versions[1]) {
        throw new Error(`${h.api.name} handler claims versions outside its schema`);
      }
      this.handlers.set(h.api.key, h);
    }
    this.advertised = [...this.handlers.values()]
      .map((h) => ({ apiKey: h.api.key, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** Handles one request frame; returns the response chunks, or null when none is due. */
  async handle(frame: Buffer, conn: ConnectionContext): Promise<Buffer[] | null> {
    // SASL listeners: unauthenticated clients get only ApiVersions and the SASL APIs, legacy raw
    // tokens are answered here, and an expired session is closed (security/sasl-session.ts).
    const legacy = saslGate(frame, conn);
    if (legacy) return legacy.response;
    const r = new Reader(frame);
    let header;
    try {
      header = readRequestHeader(r);
    } catch (e) {
      throw new CloseConnection(`request header could not be read: ${(e as Error).message}`);
    }
    const handler = this.handlers.get(header.apiKey);
    if (!handler) throw new CloseConnection(`unknown API key ${header.apiKey}`);
    const { apiVersion, correlationId } = header;
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (header.apiKey !== API_VERSIONS_KEY) {
        throw new CloseConnection(`unsupported version ${apiVersion} of ${handler.api.name}`);
      }
      const own = this.advertised.find((a) => a.apiKey === API_VERSIONS_KEY)!;
      return encodeResponse(ApiVersions, 0, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [own] });
    }
    let body;
    try {
      skipRequestHeaderTags(r, header);
      body = decodeRequestBody(handler.api, apiVersion, r);
    } catch (e) {
      throw new CloseConnection(`malformed ${handler.api.name} v${apiVersion} request from client ${header.clientId ?? ''}: ${(e as Error).message}`);
    }
    const ctx: RequestContext = { ...conn, apiVersion, correlationId, clientId: header.clientId, advertisedApis: this.advertised };
    let response;
    try {
      response = await handler.handle(body, ctx);
    } catch (e) {
      if (e instanceof CloseConnection) throw e;
      return this.answerFailure(handler.api, body, ctx, e);
    }
    if (response === null) return null;
    try {
      return encodeResponse(handler.api, apiVersion, correlationId, response);
    } catch (e) {
      // A response the schema cannot carry is the handler's failure too: answered the same way.
      return this.answerFailure(handler.api, body, ctx, e);
    }
  }

  /** A handler threw: log it and answer UNKNOWN_SERVER_ERROR, keeping the connection. */
  private answerFailure(api: ApiDef, body: unknown, ctx: RequestContext, e: unknown): Buffer[] {
    const err = e instanceof Error ? e : new Error(String(e));
    const client = `client ${ctx.clientId ?? ''} at ${ctx.clientHost}`;
    this.log.error(`Unexpected error handling ${api.name} v${ctx.apiVersion} request from ${client} (correlation id ${ctx.correlationId}): ${err.message}`);
    if (err.stack) this.log.debug(err.stack);
    if (api.key === Produce.key && (body as { acks?: number }).acks === 0) throw new CloseConnection(`${api.name} with acks=0 failed: ${err.message}`);
    try {
      return encodeResponse(api, ctx.apiVersion, ctx.correlationId, errorResponse(api, ctx.apiVersion, body, ErrorCode.UNKNOWN_SERVER_ERROR));
    } catch (encodeError) {
      throw new CloseConnection(`no error response for ${api.name} v${ctx.apiVersion}: ${(encodeError as Error).message}`);
    }
  }
}
