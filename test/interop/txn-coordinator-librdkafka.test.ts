/**
 * librdkafka 2.0.2 (confluent-kafka 1.7.0), unmodified, against the transaction coordinator:
 * init_transactions, a committed and an aborted transaction over 3 partitions, and a second
 * instance with the same transactional.id fencing the first (librdkafka reports _FENCED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requirePython } from '../helpers/real-clients.js';
import { execa } from 'execa';

const SCRIPT = `
import sys, json
from confluent_kafka import Producer, Consumer, TopicPartition
bs = sys.argv[1]
out = {}
p = Producer({'bootstrap.servers': bs, 'transactional.id': 'rdk-1', 'transaction.timeout.ms': 30000})
p.init_transactions(20)
p.begin_transaction()
for i in range(3): p.produce('rd', value=b'c%d' % i, partition=i)
p.commit_transaction(20)
p.begin_transaction()
for i in range(3): p.produce('rd', value=b'a%d' % i, partition=i)
p.flush(20)
p.abort_transaction(20)
p2 = Producer({'bootstrap.servers': bs, 'transactional.id': 'rdk-1', 'logger': None})
p2.init_transactions(20)
p.begin_transaction()
p.produce('rd', value=b'zombie', partition=0)
try:
    p.commit_transaction(20)
    out['zombie'] = 'committed'
except Exception as e:
    out['zombie'] = e.args[0].name()
def read(iso):
    c = Consumer({'bootstrap.servers': bs, 'group.id': 'g-' + iso, 'isolation.level': iso, 'enable.partition.eof': True})
    c.assign([TopicPartition('rd', i, 0) for i in range(3)])
    seen, eof = [], set()
    while len(eof) < 3:
        m = c.poll(10)
        if m is None: break
        if m.error():
            eof.add(m.partition())
            continue
        seen.append(m.value().decode())
    c.close()
    return sorted(seen)
out['committed'] = read('read_committed')
out['uncommitted'] = read('read_uncommitted')
print(json.dumps(out))
`;

describe('librdkafka transactions', () => {
  let b: TestBroker;
  beforeAll(async () => {
    await requirePython('confluent_kafka');
    b = await startBroker({ properties: { 'transaction.state.log.num.partitions': '3' } });
    await new Admin(b.client()).createTopics([{ name: 'rd', partitions: 3, replicationFactor: 1 }]);
  });
  afterAll(async () => b?.close());

  it('commits, aborts and fences as Kafka does', async () => {
    const r = await execa(PYTHON, ['-c', SCRIPT, b.bootstrap], { reject: false, timeout: 60_000 });
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.committed).toEqual(['c0', 'c1', 'c2']);
    expect(out.uncommitted).toEqual(['a0', 'a1', 'a2', 'c0', 'c1', 'c2']);
    expect(out.zombie).toBe('_FENCED');
    expect(b.cluster.brokers()[0]!.transactions.describe('rdk-1')).toMatchObject({ errorCode: 0, state: 'Empty', producerEpoch: 1 });
  });
});
