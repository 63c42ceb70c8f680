/**
 * Routes request frames to handlers: reads the header, checks the API key and version against
 * the registered handlers, decodes the body with the API's schema, runs the handler and encodes
 * its response.
 *
 * Kafka's rules for bad requests: an unsupported ApiVersions version gets a v0 response with
 * UNSUPPORTED_VERSION and ApiVersions' own range (so the client can retry lower); any other
 * unknown API key, unsupported version or undecodable request (truncated, or null in a
 * non-nullable field, more array elements than the element budget) closes the connection, logged
 * as one WARN line. A handler that fails unexpectedly, or returns a response that cannot be
 * encoded, gets UNKNOWN_SERVER_ERROR for that
 * request (Kafka's `getErrorResponse`, see error-response.ts) and the connection stays open,
 * except for Produce with acks=0, which has no response to carry it: Kafka closes the connection
 * then.
 *
 * Client quotas (quotas/client-quotas.ts) are applied here, in one place, and only when some
 * quota is configured (and never on the LOCAL listener: the CLI and replication, Kafka's
 * inter-broker traffic): a Fetch asks for no more than the consumer quota's window allows; after
 * the handler, Produce request bytes, Fetch response bytes and the handler's time on the event loop
 * are recorded; a quota exceeded puts Kafka's throttle time in the response's throttle_time_ms and
 * mutes the connection for that long once the response is written (KIP-219). A throttled Fetch
 * answers no records (Kafka's getThrottledResponse) and its bytes are not counted.
 */
import { ApiVersions, Fetch, Produce, type FetchRequest, type FetchResponse } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { API_VERSIONS_KEY, readRequestHeader, skipRequestHeaderTags } from '../protocol/headers.js';
import { decodeRequestBody, encodeResponse } from '../protocol/messages.js';
import { ArrayBudgetExceeded, Reader } from '../protocol/primitives.js';
import type { ApiDef } from '../protocol/schema.js';
import { CloseConnection, type ConnectionInfo, LOCAL_LISTENER } from '../transport/server.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { errorResponse } from './error-response.js';
import { saslGate } from './security/sasl-session.js';
import type { Handler, RequestContext } from './handler.js';
import type { QuotaService } from './quotas/client-quotas.js';
import { RequestMetrics } from './request-metrics.js';
import type { BrokerServices } from './services.js';

/** Thrown to make the transport close the connection (Kafka's response to a bad request). */
export { CloseConnection } from '../transport/server.js';

export interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * How many array elements one request may hold (every element of every array, nested ones
 * included), and the rule the WARN names. Kafka has no such limit: its heap is sized for the
 * cluster. Here one 9 MiB DescribeGroups of 2M short names, decoded into objects and answered
 * one by one, took the daemon's 256 MB heap. The largest requests clients make name every
 * partition (Produce, Fetch, ListOffsets, OffsetCommit; CreateTopics with its replica ids), each
 * a few elements, and the daemon hosts at most kafka-ts.max.partitions of them: 20 per partition
 * leaves room to spare.
 */
export interface ElementBudget {
  limit: number;
  rule: string;
}

const ELEMENTS_PER_PARTITION = 20;
const MIN_ELEMENTS = 100_000;

export function requestElementBudget(maxPartitions: number): ElementBudget {
  const scaled = maxPartitions * ELEMENTS_PER_PARTITION;
  return scaled >= MIN_ELEMENTS
    ? { limit: scaled, rule: `kafka-ts.max.partitions x ${ELEMENTS_PER_PARTITION}` }
    : { limit: MIN_ELEMENTS, rule: `kafka-ts.max.partitions x ${ELEMENTS_PER_PARTITION}, at least ${MIN_ELEMENTS}` };
}

const UNLIMITED: ElementBudget = { limit: Infinity, rule: 'unlimited' };

export class Router {
  private readonly handlers = new Map<number, Handler>();
  readonly advertised: ApiRange[];
  /** Request handling time per API (server status). */
  readonly metrics = new RequestMetrics();

  constructor(
    handlers: readonly Handler[],
    private readonly log: Logger = silentLogger,
    private readonly elements: ElementBudget = UNLIMITED,
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

  /** Handles one request frame of a connection to the broker of `services`; returns the response chunks, or null when none is due. */
  async handle(frame: Buffer, conn: ConnectionInfo, services: BrokerServices): Promise<Buffer[] | null> {
    const started = performance.now();
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
      body = decodeRequestBody(handler.api, apiVersion, r.limitElements(this.elements.limit));
    } catch (e) {
      const request = `${handler.api.name} v${apiVersion} request from client ${header.clientId ?? ''}`;
      if (e instanceof ArrayBudgetExceeded) throw new CloseConnection(`${request} has ${e.message} (${this.elements.rule})`);
      throw new CloseConnection(`malformed ${request}: ${(e as Error).message}`);
    }
    const ctx = requestContext(conn, services, apiVersion, correlationId, header.clientId, this.advertised);
    const quotas = services.quotas?.active && conn.listener !== LOCAL_LISTENER ? services.quotas : null;
    if (quotas && handler.api.key === Fetch.key) {
      const fetch = body as FetchRequest;
      const window = quotas.maxFetchBytes(ctx.principal, ctx.clientId);
      if (fetch.maxBytes !== undefined && window < fetch.maxBytes) fetch.maxBytes = Math.max(1, Math.floor(window));
    }
    let response;
    let handlerMs = 0;
    try {
      const t0 = quotas ? performance.now() : 0;
      const pending = handler.handle(body, ctx);
      if (quotas) handlerMs = performance.now() - t0;
      response = await pending;
    } catch (e) {
      if (e instanceof CloseConnection) throw e;
      return this.answerFailure(handler.api, body, ctx, e);
    }
    if (quotas) {
      const out = this.answerWithQuotas(handler.api, body, ctx, response, frame.length, handlerMs, quotas);
      this.metrics.record(header.apiKey, performance.now() - started);
      return out;
    }
    if (response === null) {
      this.metrics.record(header.apiKey, performance.now() - started);
      return null;
    }
    try {
      const out = encodeResponse(handler.api, apiVersion, correlationId, response);
      this.metrics.record(header.apiKey, performance.now() - started);
      return out;
    } catch (e) {
      // A response the schema cannot carry is the handler's failure too: answered the same way.
      return this.answerFailure(handler.api, body, ctx, e);
    }
  }

  /** Records the request against the client's quotas; throttles (throttle_time_ms, muted connection) when one is exceeded. */
  private answerWithQuotas(api: ApiDef, body: unknown, ctx: RequestContext, response: unknown, requestBytes: number, handlerMs: number, quotas: QuotaService): Buffer[] | null {
    const { principal, clientId } = ctx;
    const now = Date.now();
    const acks0 = api.key === Produce.key && (body as { acks?: number }).acks === 0;
    const bandwidth = api.key === Produce.key ? quotas.recordProduce(principal, clientId, requestBytes, now) : 0;
    // Kafka does not count acks=0 produce requests against the request quota.
    const requestTime = acks0 ? 0 : quotas.recordRequestTime(principal, clientId, handlerMs, now);
    const encode = (r: unknown) => {
      try {
        return encodeResponse(api, ctx.apiVersion, ctx.correlationId, r);
      } catch (e) {
        return this.answerFailure(api, body, ctx, e);
      }
    };
    if (api.key === Fetch.key && response !== null) {
      const out = encode(response);
      let bytes = 0;
      for (const c of out) bytes += c.length;
      const fetchThrottle = quotas.recordFetch(principal, clientId, bytes, now);
      const throttle = Math.max(fetchThrottle, requestTime);
      if (throttle === 0) return out;
      // Kafka answers a throttled fetch with no data, and takes its bytes off the quota again.
      quotas.unrecordFetch(principal, clientId, bytes, now);
      ctx.throttle?.(throttle);
      const res = response as FetchResponse;
      return encode({ throttleTimeMs: throttle, errorCode: 0, sessionId: res.sessionId, responses: [] } satisfies FetchResponse);
    }
    const throttle = Math.max(bandwidth, requestTime);
    if (throttle > 0) {
      ctx.throttle?.(throttle);
      const r = response as { throttleTimeMs?: number } | null;
      if (r && typeof r.throttleTimeMs === 'number') r.throttleTimeMs = Math.max(r.throttleTimeMs, throttle);
    }
    return response === null ? null : encode(response);
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

/**
 * The context a handler sees, written out field by field in one order: built with spreads
 * (`{ ...conn, ...services, apiVersion, … }`) per request, V8 made new hidden classes for every
 * object (a tenth of the daemon's CPU at 20,000 small produce requests a second).
 */
function requestContext(
  conn: ConnectionInfo,
  services: BrokerServices,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  advertisedApis: readonly ApiRange[],
): RequestContext {
  return {
    partitions: services.partitions,
    groups: services.groups,
    transactions: services.transactions,
    cluster: services.cluster,
    controller: services.controller,
    authorizer: services.authorizer,
    quotas: services.quotas,
    clientHost: conn.clientHost,
    listener: conn.listener,
    principal: conn.principal,
    security: conn.security,
    closed: conn.closed,
    onClose: conn.onClose,
    responseRoom: conn.responseRoom,
    whenResponseRoom: conn.whenResponseRoom,
    reserveResponse: conn.reserveResponse,
    throttle: conn.throttle,
    apiVersion,
    correlationId,
    clientId,
    advertisedApis,
  };
}
