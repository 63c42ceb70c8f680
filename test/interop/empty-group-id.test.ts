/**
 * kafka-python commits under the empty group id "" (a consumer with assigned partitions and
 * group_id=''), as Kafka allows for backwards compatibility: the commit is accepted, read back,
 * and the group shows in ListGroups and DescribeGroups as Empty.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { DescribeGroups, ListGroups } from '../../src/protocol/apis/index.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requirePython } from '../helpers/real-clients.js';

let broker: TestBroker;

beforeAll(async () => {
  await requirePython('kafka');
  broker = await startBroker();
  const c = broker.client();
  await new Admin(c).createTopics([{ name: 'empty-gid', partitions: 1, replicationFactor: 1 }]);
  const p = new Producer(c, { lingerMs: 0 });
  for (let i = 0; i < 5; i++) await p.send({ topic: 'empty-gid', value: Buffer.from(`v${i}`) });
});

afterAll(() => broker?.close());

const SCRIPT = `
import sys
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id='', enable_auto_commit=False, api_version_auto_timeout_ms=10000)
tp = TopicPartition('empty-gid', 0)
c.assign([tp])
c.commit({tp: OffsetAndMetadata(3, 'py')})
print(c.committed(tp))
c.close()
`;

it('kafka-python commits with group_id="" and reads the offset back', async () => {
  const r = await execa(PYTHON, ['-c', SCRIPT, broker.bootstrap], { reject: false, timeout: 60_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe('3');
  const c = broker.client();
  const listed = await c.send<{ groups: { groupId: string; groupState: string }[] }>('any', ListGroups, {});
  expect(listed.body.groups).toContainEqual(expect.objectContaining({ groupId: '', groupState: 'Empty' }));
  const described = await c.send<{ groups: { errorCode: number; groupState: string }[] }>('any', DescribeGroups, { groups: [''] });
  expect(described.body.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Empty' });
});
