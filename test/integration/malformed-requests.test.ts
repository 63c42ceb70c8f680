/**
 * The frames that once made handlers or the response encoder throw (ERROR lines with stack traces,
 * issue 14 point 2) or the frame decoder raise a TypeError: each now closes its connection, as
 * Kafka does for a request it cannot parse, with exactly one WARN line naming the client, the API
 * and the reason, and the broker keeps serving.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Admin } from '../../src/client/admin.js';
import { Writer } from '../../src/protocol/primitives.js';
import { DescribeTopicPartitions, IncrementalAlterConfigs, Metadata, type DescribeTopicPartitionsResponse, type IncrementalAlterConfigsResponse } from '../../src/protocol/apis/index.js';
import { encodeRequest } from '../../src/protocol/messages.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { Logger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const lines: string[] = [];
const log: Logger = {
  debug: (m) => lines.push(`DEBUG ${m}`),
  info: (m) => lines.push(`INFO ${m}`),
  warn: (m) => lines.push(`WARN ${m}`),
  error: (m) => lines.push(`ERROR ${m}`),
  child: () => log,
};

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ log });
});
afterAll(async () => broker.close());
beforeEach(() => {
  lines.length = 0;
});

/** A request frame: size, header v1 (key, version, correlation id, client id), body. */
function frame(apiKey: number, version: number, body: Writer): Buffer {
  const payload = Buffer.concat([new Writer().int16(apiKey).int16(version).int32(7).string('fuzzer').toBuffer(), body.toBuffer()]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Sends the bytes on a fresh connection; resolves with what came back once the broker closed it. */
function sendUntilClosed(bytes: Buffer): Promise<{ answered: Buffer }> {
  const [host, port] = broker.bootstrap.split(':');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(Number(port), host!, () => s.write(bytes));
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => resolve({ answered: Buffer.concat(chunks) }));
    setTimeout(() => {
      s.destroy();
      reject(new Error('the broker kept the connection open'));
    }, 5000).unref();
  });
}

const NULL = -1;
const cases: [string, Buffer, RegExp][] = [
  ['Metadata v1 with a null topic name', frame(3, 1, new Writer().int32(1).int16(NULL)), /Metadata v1 .*fuzzer.*non-nullable field name/],
  [
    'Produce v3 with a null topic name',
    frame(0, 3, new Writer().int16(NULL).int16(1).int32(1000).int32(1).int16(NULL).int32(0)),
    /Produce v3 .*fuzzer.*non-nullable field name/,
  ],
  [
    'OffsetCommit v2 with a null group id',
    frame(8, 2, new Writer().int16(NULL).int32(1).string('m').int64(-1).int32(0)),
    /OffsetCommit v2 .*fuzzer.*non-nullable field groupId/,
  ],
  ['SyncGroup v0 with a null group id', frame(14, 0, new Writer().int16(NULL).int32(1).string('m').int32(0)), /SyncGroup v0 .*fuzzer.*non-nullable field groupId/],
  [
    'DescribeConfigs v0 with a null resource name',
    frame(32, 0, new Writer().int32(1).int8(2).int16(NULL).int32(NULL)),
    /DescribeConfigs v0 .*fuzzer.*non-nullable field resourceName/,
  ],
  ['a zero-length frame', Buffer.alloc(4), /request header could not be read/],
  // Kafka's readers take any negative count as null; v0's topic list is not nullable (it used to
  // be read as [] and answered with every topic).
  ['Metadata v0 with a null topic list', frame(3, 0, new Writer().int32(NULL)), /Metadata v0 .*fuzzer.*non-nullable field topics was serialized as null/],
  ['Metadata v0 with a topic count of -5', frame(3, 0, new Writer().int32(-5)), /Metadata v0 .*fuzzer.*non-nullable field topics was serialized as null/],
  // Found by scripts/fuzz.mjs: the v10-11 response cannot carry a null name (was an ERROR line).
  [
    'Metadata v10 with a null topic name',
    Buffer.concat(encodeRequest(Metadata, 10, 7, 'fuzzer', { topics: [{ topicId: Buffer.alloc(16), name: null }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })),
    /Topic name can not be null for Metadata version 10/,
  ],
];

describe('malformed requests', () => {
  it.each(cases)('%s: the connection is closed with one WARN line, no ERROR and no stack trace', async (_, bytes, reason) => {
    const { answered } = await sendUntilClosed(bytes);
    expect(answered.length).toBe(0);
    // The close is logged synchronously before the socket is destroyed.
    const warnings = lines.filter((l) => l.startsWith('WARN'));
    expect(warnings).toEqual([expect.stringMatching(/^WARN Closing connection from \/127\.0\.0\.1: /)]);
    expect(warnings[0]).toMatch(reason);
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
    // And the broker keeps serving.
    expect((await new Admin(broker.client()).listTopics()).map((t) => t.name)).toContain('__consumer_offsets');
  });
});

/** Requests scripts/fuzz.mjs found making a handler throw (ERROR lines): now answered with an error. */
describe('odd but well-formed requests', () => {
  it('IncrementalAlterConfigs APPEND of an unknown topic config: INVALID_CONFIG, no ERROR line', async () => {
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'odd-configs', partitions: 1, replicationFactor: 1 }]);
    const { body } = await client.send('any', IncrementalAlterConfigs, {
      resources: [{ resourceType: 2, resourceName: 'odd-configs', configs: [{ name: 'no.such.config', configOperation: 2, value: 'x' }] }],
      validateOnly: false,
    });
    const [r] = (body as IncrementalAlterConfigsResponse).responses;
    expect(r!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    // Kafka's controller (ConfigurationControlManager): an unknown name is no LIST config.
    expect(r!.errorMessage).toBe("Can't APPEND to key no.such.config because its type is not LIST.");
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });

  it('DescribeTopicPartitions with a negative cursor partition: described from partition 0, no ERROR line', async () => {
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'odd-cursor', partitions: 2, replicationFactor: 1 }]);
    const { body } = await client.send('any', DescribeTopicPartitions, {
      topics: [{ name: 'odd-cursor' }],
      responsePartitionLimit: 10,
      cursor: { topicName: 'odd-cursor', partitionIndex: -5 },
    });
    const [t] = (body as DescribeTopicPartitionsResponse).topics;
    expect(t!.errorCode).toBe(0);
    expect(t!.partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });
});
