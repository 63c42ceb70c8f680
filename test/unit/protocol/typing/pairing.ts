/**
 * Compile-time checks that an API's schema carries its body types: every line marked
 * `@ts-expect-error` pairs a schema with the wrong types and must fail to compile (tsc reports an
 * unused directive otherwise); the rest must compile. Checked by ../typing.test.ts; never run.
 */
import { expectTypeOf } from 'vitest';
import type { AnyHandler } from '../../../../src/broker/handler.js';
import { defineHandler } from '../../../../src/broker/handler.js';
import type { KafkaClient } from '../../../../src/client/client.js';
import {
  Fetch,
  Heartbeat,
  type FetchResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type FetchRequest,
} from '../../../../src/protocol/apis/index.js';
import { OffsetCommitKey, type OffsetCommitKeyData } from '../../../../src/protocol/data/index.js';
import { decodeRequestBody, decodeResponse, encodeRequest, encodeResponse } from '../../../../src/protocol/messages.js';
import type { Reader } from '../../../../src/protocol/primitives.js';
import { decodeStruct, encodeStruct, type ApiDef, type RequestOf, type ResponseOf } from '../../../../src/protocol/schema.js';

declare const client: KafkaClient;
declare const reader: Reader;
const heartbeat: HeartbeatRequest = { groupId: 'g', generationId: 1, memberId: 'm' };

export async function clientSend(): Promise<void> {
  // The response type follows from the API.
  const { body } = await client.send('any', Heartbeat, heartbeat);
  expectTypeOf(body).toEqualTypeOf<HeartbeatResponse>();
  const built = await client.send(1, Heartbeat, (v) => ({ ...heartbeat, groupInstanceId: v >= 3 ? 'i' : null }));
  expectTypeOf(built.body).toEqualTypeOf<HeartbeatResponse>();

  // @ts-expect-error a Fetch body is not a Heartbeat request
  await client.send('any', Heartbeat, { topics: [], maxWaitMs: 0, minBytes: 1 });
  // @ts-expect-error memberId is required in every version
  await client.send('any', Heartbeat, { groupId: 'g', generationId: 1 });
  // @ts-expect-error nor when the body is built per version
  await client.send('any', Heartbeat, () => ({ groupId: 'g' }));
  // @ts-expect-error fields have their schema's types
  await client.send('any', Heartbeat, { groupId: 'g', generationId: '1', memberId: 'm' });

  // Naming the types by hand compiles while they are the API's...
  const named = await client.send<HeartbeatRequest, HeartbeatResponse>('any', Heartbeat, heartbeat);
  expectTypeOf(named.body).toEqualTypeOf<HeartbeatResponse>();
  // @ts-expect-error ...and not when they are another API's
  await client.send<FetchRequest, FetchResponse>('any', Heartbeat, heartbeat);
  // @ts-expect-error a type argument no longer unlocks a loosely typed body (the deprecated overload is gone)
  await client.send<HeartbeatResponse>('any', Heartbeat, { topics: [], maxWaitMs: 0, minBytes: 1 });
  // @ts-expect-error nor do both: the body is still checked against the API's request
  await client.send<HeartbeatRequest, HeartbeatResponse>('any', Heartbeat, { topics: [], maxWaitMs: 0, minBytes: 1 });
}

export const heartbeatHandler = defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(req) {
    expectTypeOf(req).toEqualTypeOf<HeartbeatRequest>();
    return { errorCode: 0 };
  },
});
expectTypeOf(heartbeatHandler.handle).returns.toEqualTypeOf<HeartbeatResponse | null | Promise<HeartbeatResponse | null>>();

export const wrongResponse = defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  // @ts-expect-error a handler must return its API's response (errorCode is missing)
  handle() {
    return { throttleTimeMs: 0 };
  },
});

export const wrongRequest = defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  // @ts-expect-error the request is the API's request type, not one the handler picks
  handle(req: FetchRequest) {
    return { errorCode: req.minBytes };
  },
});

// A Fetch handler may answer with a list of batches (written back to back, zero-copy); a decoded
// Fetch response always has one buffer.
export const fetchHandler = defineHandler({
  api: Fetch,
  minVersion: 0,
  maxVersion: 13,
  async handle() {
    const batches: Buffer[] = [];
    return { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 0, records: batches }] }] };
  },
});
expectTypeOf<FetchResponse['responses'][number]['partitions'][number]['records']>().toEqualTypeOf<Buffer | null>();

// The router's list mixes APIs.
export const handlers: AnyHandler[] = [heartbeatHandler, fetchHandler];

export function schemas(): void {
  const paired: ApiDef<HeartbeatRequest, HeartbeatResponse> = Heartbeat;
  expectTypeOf<RequestOf<typeof paired>>().toEqualTypeOf<HeartbeatRequest>();
  expectTypeOf<ResponseOf<typeof Heartbeat>>().toEqualTypeOf<HeartbeatResponse>();
  // @ts-expect-error a schema cannot be paired with another API's types
  const mispaired: ApiDef<FetchRequest, FetchResponse> = Heartbeat;
  void mispaired;

  encodeRequest(Heartbeat, 4, 1, 'c', heartbeat);
  // @ts-expect-error a request is encoded with its own API's schema
  encodeRequest(Fetch, 4, 1, 'c', heartbeat);
  encodeResponse(Heartbeat, 4, 1, { errorCode: 0 });
  // @ts-expect-error and so is a response
  encodeResponse(Heartbeat, 4, 1, { responses: [] });
  expectTypeOf(decodeRequestBody(Heartbeat, 4, reader)).toEqualTypeOf<HeartbeatRequest>();
  expectTypeOf(decodeResponse(Heartbeat, 4, Buffer.alloc(0)).body).toEqualTypeOf<HeartbeatResponse>();

  // Standalone message formats carry their types too.
  encodeStruct(OffsetCommitKey, 1, { group: 'g', topic: 't', partition: 0 });
  // @ts-expect-error partition is a number
  encodeStruct(OffsetCommitKey, 1, { group: 'g', topic: 't', partition: '0' });
  expectTypeOf(decodeStruct(OffsetCommitKey, 1, reader)).toEqualTypeOf<OffsetCommitKeyData>();
}
