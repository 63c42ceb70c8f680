/**
 * One request may hold only so many array elements (router.ts requestElementBudget): a 9.5 MiB
 * DescribeGroups of 2M short names once ran the daemon out of heap. Over the budget the connection
 * is closed with one WARN line, as for a malformed request; the largest requests clients make
 * (every partition of a topic) still fit. The budget is lowered here so the frames stay small.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { DescribeGroups, ListOffsets, type DescribeGroupsResponse, type ListOffsetsResponse } from '../../src/protocol/apis/index.js';
import { encodeRequest } from '../../src/protocol/messages.js';
import { silentLogger, type Logger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { FrameConn } from '../helpers/frame-conn.js';

const BUDGET = 1000;
const PARTITIONS = 600;

const lines: string[] = [];
const log: Logger = { ...silentLogger, warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), child: () => log };

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ log, inMemory: true, maxRequestElements: BUDGET });
  const [created] = await new Admin(broker.client()).createTopics([{ name: 'wide', partitions: PARTITIONS, replicationFactor: 1 }]);
  expect(created!.error).toBeNull();
});
afterAll(async () => broker.close());
beforeEach(() => {
  lines.length = 0;
});

const groups = (n: number) => Array.from({ length: n }, (_, i) => `g${i}`);

describe('array elements per request', () => {
  it('closes the connection of a request over the budget with one WARN line, and keeps serving', async () => {
    const conn = await FrameConn.open({ port: Number(broker.bootstrap.split(':')[1]) });
    conn.send(encodeRequest(DescribeGroups, 5, 7, 'fuzzer', { groups: groups(BUDGET + 1), includeAuthorizedOperations: false }));
    await expect(conn.next(1, 10_000)).rejects.toThrow('closed after 0 of 1 answers');
    const warnings = lines.filter((l) => l.startsWith('WARN'));
    expect(warnings).toEqual([`WARN Closing connection from /127.0.0.1: DescribeGroups v5 request from client fuzzer has more than ${BUDGET} array elements (set for this cluster)`]);
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    expect((await new Admin(broker.client()).listTopics()).map((t) => t.name)).toContain('wide');
  });

  it('answers a request of exactly the budget', async () => {
    const { body } = await broker.client().send('any', DescribeGroups, { groups: groups(BUDGET), includeAuthorizedOperations: false });
    expect((body as DescribeGroupsResponse).groups).toHaveLength(BUDGET);
    expect(lines.filter((l) => l.startsWith('WARN'))).toEqual([]);
  });

  it('answers ListOffsets for every partition of a wide topic (nested arrays: 1 topic + its partitions)', async () => {
    const partitions = Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1 }));
    const { body } = await broker.client().send('any', ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'wide', partitions }] });
    const answered = (body as ListOffsetsResponse).topics[0]!.partitions;
    expect(answered).toHaveLength(PARTITIONS);
    expect(answered.filter((p) => p.errorCode !== 0)).toEqual([]);
    expect(lines.filter((l) => l.startsWith('WARN'))).toEqual([]);
  });
});
