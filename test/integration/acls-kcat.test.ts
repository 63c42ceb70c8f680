/**
 * A real client against the authorizer: kcat (librdkafka) over PLAINTEXT is User:ANONYMOUS. With
 * allow.everyone.if.no.acl.found=false it can neither produce nor consume; after --producer ACLs
 * (added over the LOCAL socket) it produces but cannot consume; after --consumer --group it
 * consumes in a group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { addAcls } from '../../src/tools/acls.js';
import { silentLogger } from '../../src/util/logger.js';
import { kcat } from '../helpers/real-clients.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir('kafka-ts-acls-kcat-');
let cluster: KafkaCluster;
let local: KafkaClient;

beforeAll(async () => {
  const { config } = buildBrokerConfig(t.dir, {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '2',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
  });
  cluster = await KafkaCluster.start({ config, log: silentLogger, socketDir: t.dir });
  local = new KafkaClient({ bootstrap: parseBootstrap(`unix://${join(t.dir, 'kafka.sock')}`), clientId: 'admin', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  const [r] = await new Admin(local).createTopics([{ name: 'orders', partitions: 1, replicationFactor: 1 }]);
  expect(r!.error).toBeNull();
});

afterAll(async () => {
  await local.close();
  await cluster.close();
  t.cleanup();
});

const bs = () => cluster.bootstrap;
const produce = (value: string) => kcat(['-b', bs(), '-P', '-t', 'orders', '-X', 'message.timeout.ms=5000'], { input: `${value}\n`, timeout: 30_000 });
const consume = () => kcat(['-b', bs(), '-C', '-t', 'orders', '-o', 'beginning', '-e'], { timeout: 30_000 });
const consumeInGroup = () =>
  kcat(['-b', bs(), '-G', 'g', '-o', 'beginning', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-X', 'enable.partition.eof=true', 'orders'], { timeout: 30_000 });

describe('kcat as User:ANONYMOUS', () => {
  it('is refused without ACLs, produces with --producer, consumes in a group with --consumer', async () => {
    const refused = await produce('nope');
    expect(refused.exitCode, refused.stderr).not.toBe(0);
    expect(refused.stderr).toMatch(/authorization failed|AUTHORIZATION/i);

    await addAcls(local, { resourcePatternType: 'literal', allowPrincipal: ['User:ANONYMOUS'], producer: true, topic: ['orders'] });
    const ok = await produce('hello');
    expect(ok.exitCode, ok.stderr).toBe(0);
    const noRead = await consume();
    expect(noRead.stdout).not.toContain('hello');
    expect(noRead.stderr).toMatch(/authorization failed|AUTHORIZATION/i);

    await addAcls(local, { resourcePatternType: 'literal', allowPrincipal: ['User:ANONYMOUS'], consumer: true, topic: ['orders'], group: ['g'] });
    const read = await consumeInGroup();
    expect(read.stdout, read.stderr).toContain('hello');
  });
});
