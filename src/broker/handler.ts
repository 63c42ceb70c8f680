/**
 * The contract between the router and the per-API handlers in ./handlers. A handler declares the
 * API it serves and the version range it implements; ApiVersions advertises exactly those ranges.
 */
import type { ApiDef } from '../protocol/schema.js';
import type { ConnectionSecurity } from '../transport/server.js';
import type { ListenerName } from './listeners.js';
import type { BrokerServices } from './services.js';

export type { ListenerName } from './listeners.js';

/**
 * What a handler gets besides the request: the broker's services (partitions, groups, cluster,
 * controller; see services.ts) and the request's and connection's particulars.
 */
export interface RequestContext extends BrokerServices {
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Kafka-style client address, e.g. "/127.0.0.1". */
  clientHost: string;
  listener: ListenerName;
  /** The connection's principal (`User:ANONYMOUS`, `User:alice`, …; see ConnectionInfo). */
  principal: string;
  /** The connection's TLS peer and SASL state (absent in unit tests that build a context by hand). */
  security?: ConnectionSecurity;
  /** Resolves when the connection closes, so long waits (fetch, join) can stop early. */
  closed: Promise<void>;
  /** Listens for the close until the returned function is called: for waits repeated on a connection (see ConnectionInfo). */
  onClose?: (listener: () => void) => () => void;
  /** Answer bytes the connection may add now, and a wait for room (the transport's memory ceiling; see ConnectionInfo). */
  responseRoom?: () => number;
  whenResponseRoom?: () => Promise<void> | null;
  reserveResponse?: (bytes: number) => void;
  /** Mutes the connection for that many ms after this answer (client quotas; see ConnectionInfo). */
  throttle?: (ms: number) => void;
  /** The API version ranges this broker advertises (for ApiVersions). */
  advertisedApis: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
}

/**
 * A handler for one API. `Req` and `Res` come from `api` (see defineHandler), so the request a
 * handler reads and the response it returns are the ones the API's schema decodes and encodes.
 */
export interface Handler<Req = unknown, Res = unknown> {
  /** `Req` is the request as decoded, `Res` the response as the encoder accepts it. */
  readonly api: ApiDef<Req, unknown, unknown, Res>;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Returns the response body, or null when the request gets no response (produce with acks=0). */
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

/**
 * A handler for some API, as the router holds them: the router decodes the request with the
 * handler's own `api` and encodes the response with it, so each pair stays matched even though
 * the list mixes APIs. (`handle` is a method, so a Handler<HeartbeatRequest, …> is assignable
 * here; nothing but the router should call it through this type.)
 */
export type AnyHandler = Handler<unknown, unknown>;

/**
 * Declares a handler. Both body types are inferred from `api` alone (NoInfer keeps `handle` from
 * widening them), so `req` is the API's request type and returning anything but its response
 * type, or null, does not compile.
 */
export const defineHandler = <Req, Res>(h: {
  readonly api: ApiDef<Req, unknown, unknown, Res>;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: NoInfer<Req>, ctx: RequestContext): NoInfer<Res> | null | Promise<NoInfer<Res> | null>;
}): Handler<Req, Res> => h;
