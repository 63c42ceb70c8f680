/**
 * The contract between the router and the per-API handlers in ./handlers. A handler declares the
 * API it serves and the version range it implements; ApiVersions advertises exactly those ranges.
 */
import type { ApiDef } from '../protocol/schema.js';
import type { Broker } from './broker.js';

import type { ListenerName } from './listeners.js';

export type { ListenerName } from './listeners.js';

export interface RequestContext {
  broker: Broker;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Kafka-style client address, e.g. "/127.0.0.1". */
  clientHost: string;
  listener: ListenerName;
  /** Resolves when the connection closes, so long waits (fetch, join) can stop early. */
  closed: Promise<void>;
  /** The API version ranges this broker advertises (for ApiVersions). */
  advertisedApis: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
}

export interface Handler<Req = any, Res = any> {
  readonly api: ApiDef;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Returns the response body, or null when the request gets no response (produce with acks=0). */
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

export const defineHandler = <Req, Res>(h: Handler<Req, Res>): Handler<Req, Res> => h;
