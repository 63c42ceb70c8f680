/**
 * The cluster metadata as a log with snapshots (src/broker/metadata/cluster-metadata.ts and
 * metadata-log.ts): real files in a temp dir, reopened as a restart would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterMetadata, type AclBinding, type TopicState } from '../../../src/broker/metadata/cluster-metadata.js';
import { MetadataLogError, frameRecord, readRecords } from '../../../src/broker/metadata/metadata-log.js';
import { ConfigError, buildBrokerConfig } from '../../../src/broker/config.js';
import { createLogger } from '../../../src/util/logger.js';
import { tempDir } from '../../helpers/tmp.js';

let t: { dir: string; cleanup: () => void };
let lines: string[];
const log = () => createLogger((l) => lines.push(l), 'test', 'DEBUG');
const open = (snapshotBytes?: number) => ClusterMetadata.open(t.dir, { log: log(), snapshotBytes });
const logFile = () => join(t.dir, 'metadata.log');
const logSize = () => statSync(logFile()).size;

/** Everything a restart must give back, in a comparable form. */
function state(md: ClusterMetadata) {
  return {
    clusterId: md.clusterId,
    topics: md.allTopics().map((x: TopicState) => ({ ...x, id: x.id.toString('hex') })),
    brokerConfigs: md.brokerConfigs,
    scram: Object.fromEntries(md.scramUsers().map((u) => [u, md.scramCredentials(u)])),
    acls: md.acls(),
  };
}

const acl = (name: string, op = 3): AclBinding => ({ resourceType: 2, resourceName: name, patternType: 3, principal: 'User:alice', host: '*', operation: op, permissionType: 3 });

/** Every kind of change, as the controller and handlers make them. */
function mutateAll(md: ClusterMetadata) {
  md.createTopic('a', [[1], [1]], { 'retention.ms': '1000' });
  md.createTopic('b', [[1, 2, 3]], {});
  md.createTopic('gone', [[1]], {});
  md.deleteTopic('gone');
  md.addPartitions('a', [[1], [1]]);
  md.updatePartitions('b', (x) => {
    x.partitions[0]!.isr = [1, 2];
    x.partitions[0]!.leaderEpoch++;
    return [0];
  });
  md.setTopicConfigs('b', { 'cleanup.policy': 'compact' });
  md.setBrokerConfigs('', { 'log.cleaner.threads': '2' });
  md.setBrokerConfigs('1', { 'leader.replication.throttled.rate': '100' });
  md.setBrokerConfigs('1', {});
  md.setScramCredentials('alice', [{ mechanism: 'SCRAM-SHA-256', iterations: 4096, salt: 'c2FsdA==', storedKey: 'a2V5', serverKey: 'c2Vy' }]);
  md.setAcls([acl('orders'), acl('payments')]);
  md.setAcls([acl('payments'), acl('invoices')]);
  md.setAcls([acl('invoices'), acl('payments')]); // a reordering: recorded as the whole list
}

beforeEach(() => {
  t = tempDir('kafka-ts-metadata-');
  lines = [];
});
afterEach(() => t.cleanup());

describe('metadata log', () => {
  it('replays every kind of change after a restart', async () => {
    const md = open();
    mutateAll(md);
    const before = state(md);
    await md.close();
    const again = open();
    expect(state(again)).toEqual(before);
    expect(again.topic('gone')).toBeUndefined();
    expect(again.topic('a')!.partitions).toHaveLength(4);
    await again.close();
  });

  it('appends the size of the change, not of the cluster', async () => {
    const md = open();
    for (let i = 0; i < 2000; i++) md.createTopic(`t-${i}`, [[1, 2, 3]], {});
    const size = logSize();
    md.updatePartitions('t-1000', (x) => {
      x.partitions[0]!.isr = [1, 2];
      return [0];
    });
    const isrChange = logSize() - size;
    expect(isrChange).toBeGreaterThan(0);
    expect(isrChange).toBeLessThan(400);
    const t0 = performance.now();
    md.createTopic('one-more', [[1, 2, 3]], {});
    const ms = performance.now() - t0;
    // Loose: the point is that it does not grow with 2,000 topics (the old save rewrote them all).
    expect(ms).toBeLessThan(200);
    await md.close();
  });

  it('fsyncs with a group commit: changes made together share one fsync, and durable() says when it is done', async () => {
    const md = open();
    await md.durable();
    expect(md.durable()).toBeNull();
    md.createTopic('a', [[1]], {});
    const first = md.durable();
    expect(first).not.toBeNull();
    // Written already (a killed process keeps it), even before the fsync completes.
    expect(readRecords(readFileSync(logFile()), 'x').records.at(-1)).toMatchObject({ type: 'topic' });
    md.createTopic('b', [[1]], {});
    md.createTopic('c', [[1]], {});
    const second = md.durable();
    expect(second).not.toBeNull();
    expect(md.durable()).toBe(second);
    await Promise.all([first, second]);
    expect(md.durable()).toBeNull();
    await md.close();
  });

  it('hands out producer ids with one record per 1000 and never reuses one after a restart', async () => {
    const md = open();
    const size = logSize();
    const ids = Array.from({ length: 1500 }, () => md.allocateProducerId());
    expect(ids[0]).toBe(0);
    expect(ids[1499]).toBe(1499);
    expect(readRecords(readFileSync(logFile()).subarray(size), 'x').records.map((r) => r.type)).toEqual(['producer-ids', 'producer-ids']);
    await md.close();
    const again = open();
    expect(again.allocateProducerId()).toBeGreaterThanOrEqual(1500);
    await again.close();
  });

  it('takes a snapshot once the log outgrows the threshold, resets the log, and keeps changes made while it is written', async () => {
    const md = open(4096);
    for (let i = 0; i < 40; i++) md.createTopic(`t-${i}`, [[1]], {});
    // The snapshot starts on the next turn of the event loop; changes made meanwhile go to the new log.
    await new Promise<void>((resolve) => setImmediate(resolve));
    md.createTopic('during', [[1]], {});
    await md.close();
    expect(md.lastSnapshot).not.toBeNull();
    expect(lines.some((l) => l.includes('Wrote the metadata snapshot at offset'))).toBe(true);
    expect(existsSync(join(t.dir, 'snapshot.json'))).toBe(true);
    expect(existsSync(join(t.dir, 'metadata.prev.log'))).toBe(false);
    expect(logSize()).toBeLessThan(4096);
    const again = open(4096);
    expect(again.allTopics().map((x) => x.name)).toContain('during');
    expect(again.allTopics()).toHaveLength(41);
    await again.close();
  });

  it('finishes a snapshot interrupted by a crash (the previous log is still there)', async () => {
    const md = open();
    md.createTopic('x', [[1]], {});
    await md.close();
    // As a crash right after the log was set aside: metadata.prev.log holds the records, the new log nothing.
    renameSync(logFile(), join(t.dir, 'metadata.prev.log'));
    writeFileSync(logFile(), '');
    const again = open();
    expect(again.topic('x')).toBeDefined();
    expect(existsSync(join(t.dir, 'metadata.prev.log'))).toBe(false);
    again.createTopic('y', [[1]], {});
    await again.close();
    const third = open();
    expect(third.allTopics().map((x) => x.name)).toEqual(['x', 'y']);
    await third.close();
  });

  it('cuts a torn record at the end of the log with a WARN line', async () => {
    const md = open();
    md.createTopic('kept', [[1]], {});
    await md.close();
    const good = logSize();
    const frame = frameRecord({ o: 99, type: 'delete-topic', name: 'kept', id: 'x' } as never);
    appendFileSync(logFile(), frame.subarray(0, frame.length - 5));
    const again = open();
    expect(again.topic('kept')).toBeDefined();
    expect(lines.find((l) => l.includes('WARN') && l.includes('torn record'))).toMatch(/Truncating a torn record at the end of the metadata log .*metadata\.log: \d+ byte\(s\) at byte \d+/);
    expect(logSize()).toBe(good);
    again.createTopic('after', [[1]], {});
    await again.close();
    expect(open().allTopics().map((x) => x.name)).toEqual(['after', 'kept']);
  });

  it('treats a zero-filled tail (power loss) as torn', async () => {
    const md = open();
    md.createTopic('kept', [[1]], {});
    await md.close();
    appendFileSync(logFile(), Buffer.alloc(100));
    const again = open();
    expect(again.topic('kept')).toBeDefined();
    expect(lines.some((l) => l.includes('WARN') && l.includes('torn record'))).toBe(true);
    await again.close();
  });

  it('refuses to start on a damaged record followed by valid ones, naming the file and byte', async () => {
    const md = open();
    md.createTopic('first', [[1]], {});
    const at = logSize();
    md.createTopic('second', [[1]], {});
    md.createTopic('third', [[1]], {});
    await md.close();
    const buf = readFileSync(logFile());
    buf[at + 20] ^= 0xff;
    writeFileSync(logFile(), buf);
    let error: unknown;
    try {
      open();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetadataLogError);
    expect((error as Error).message).toContain(`metadata.log is corrupt at byte ${at} (record 3: CRC mismatch), and valid records follow it`);
    expect((error as Error).message).not.toContain('\n');
    // No snapshot here: the advice is the backup only (moving the log aside would start a new,
    // empty cluster: following the old advice lost every topic's logs).
    expect(existsSync(join(t.dir, 'snapshot.json'))).toBe(false);
    expect((error as Error).message).toMatch(/Restore the file from a backup \(kafka-ts does not drop records by itself; without this log the topics cannot be known/);
    expect((error as Error).message).not.toContain('snapshot.json');
    // Nothing was cut: the file is as it was.
    expect(readFileSync(logFile())).toEqual(buf);
  });

  it('migrates a cluster.json written by an older kafka-ts on first open', async () => {
    const legacy = {
      version: 1,
      clusterId: 'old-cluster-id',
      nextProducerId: 7,
      brokerConfigs: { '': { 'log.cleaner.threads': '2' } },
      scramCredentials: {},
      acls: [acl('orders')],
      topics: [{ name: 'legacy', id: Buffer.alloc(16, 1).toString('base64url'), internal: false, configs: { 'retention.ms': '5' }, partitions: [{ replicas: [1], isr: [1], leader: 1, leaderEpoch: 3, partitionEpoch: 2, addingReplicas: [], removingReplicas: [] }] }],
    };
    writeFileSync(join(t.dir, 'cluster.json'), JSON.stringify(legacy));
    const md = open();
    expect(md.clusterId).toBe('old-cluster-id');
    expect(md.topic('legacy')!.partitions[0]!.leaderEpoch).toBe(3);
    expect(md.allocateProducerId()).toBe(7);
    expect(md.acls()).toEqual([acl('orders')]);
    expect(existsSync(join(t.dir, 'cluster.json'))).toBe(false);
    expect(existsSync(join(t.dir, 'cluster.json.migrated'))).toBe(true);
    expect(lines.some((l) => l.includes('Migrated the cluster metadata'))).toBe(true);
    md.createTopic('new', [[1]], {});
    await md.close();
    const again = open();
    expect(again.clusterId).toBe('old-cluster-id');
    expect(again.allTopics().map((x) => x.name)).toEqual(['legacy', 'new']);
    expect(again.allocateProducerId()).toBeGreaterThan(7);
    await again.close();
  });

  it('changes nothing when the disk refuses the record', async () => {
    const md = open();
    md.createTopic('a', [[1, 2]], {});
    const before = state(md);
    // The log's own append, made to fail as a full disk would.
    const store = (md as unknown as { store: { append: () => never } }).store;
    store.append = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    const events: string[] = [];
    md.onChange((e) => events.push(e.type));
    expect(() => md.createTopic('b', [[1]], {})).toThrow(/ENOSPC/);
    expect(() => md.deleteTopic('a')).toThrow(/ENOSPC/);
    expect(() =>
      md.updatePartitions('a', (x) => {
        x.partitions[0]!.isr = [1];
        x.partitions[0]!.leader = 1;
        return [0];
      }),
    ).toThrow(/ENOSPC/);
    expect(() => md.setAcls([acl('x')])).toThrow(/ENOSPC/);
    expect(state(md)).toEqual(before);
    expect(events).toEqual([]);
  });

  it('recognises a frame cut at any byte as torn', () => {
    const frame = frameRecord({ o: 0, type: 'cluster', clusterId: 'x' } as never);
    for (let cut = 1; cut < frame.length; cut++) {
      const r = readRecords(frame.subarray(0, cut), 'f');
      expect(r.records).toEqual([]);
      expect(r.tornBytes).toBe(cut);
    }
    expect(readRecords(frame, 'f').records).toHaveLength(1);
  });
});

describe('metadata log, in memory', () => {
  it('keeps no files without a directory', async () => {
    const md = ClusterMetadata.open(null);
    md.createTopic('a', [[1]], {});
    expect(md.topic('a')).toBeDefined();
    await md.close();
  });
});

describe('metadata lookups', () => {
  it('finds colliding names and counts replicas without sorting every topic', async () => {
    const md = open();
    md.createTopic('a.b', [[1, 2], [2, 3]], {});
    expect(md.topicCollidingWith('a_b')?.name).toBe('a.b');
    expect(md.topicCollidingWith('a.c')).toBeUndefined();
    expect(md.partitionReplicaCount()).toBe(4);
    md.deleteTopic('a.b');
    expect(md.topicCollidingWith('a_b')).toBeUndefined();
    expect(md.partitionReplicaCount()).toBe(0);
    md.createTopic('moving', [[1, 2]], {});
    md.updatePartitions('moving', (x) => {
      x.partitions[0]!.replicas = [1, 2, 3];
      x.partitions[0]!.addingReplicas = [3];
      return [0];
    });
    expect(md.partitionReplicaCount()).toBe(3);
    await md.close();
    const again = open();
    expect(again.partitionReplicaCount()).toBe(3);
    again.deleteTopic('moving');
    expect(again.partitionReplicaCount()).toBe(0);
    // allTopics hands out a copy: callers may sort or splice it.
    again.createTopic('z', [[1]], {});
    again.allTopics().pop();
    expect(again.allTopics()).toHaveLength(1);
    await again.close();
  });
});

describe('metadata.log.max.record.bytes.between.snapshots', () => {
  it("defaults to Kafka's 20 MiB, takes a value, and refuses one below 1", () => {
    expect(buildBrokerConfig('/d', {}).config.metadataSnapshotBytes).toBe(20971520);
    expect(buildBrokerConfig('/d', { 'metadata.log.max.record.bytes.between.snapshots': '1048576' }).config.metadataSnapshotBytes).toBe(1048576);
    expect(() => buildBrokerConfig('/d', { 'metadata.log.max.record.bytes.between.snapshots': '0' })).toThrow(ConfigError);
    expect(() => buildBrokerConfig('/d', { 'metadata.log.max.record.bytes.between.snapshots': 'many' })).toThrow(ConfigError);
  });
});
