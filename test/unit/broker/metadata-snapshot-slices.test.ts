/**
 * The metadata snapshot serialized across turns of the event loop (issue 14: no metadata change
 * or snapshot holds the loop > 50 ms): the snapshot holds the state as of its offset although
 * topics change, go and come while it is being serialized, and a restart gives back the state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterMetadata, type TopicState } from '../../../src/broker/metadata/cluster-metadata.js';
import { silentLogger } from '../../../src/util/logger.js';
import { tempDir } from '../../helpers/tmp.js';

let t: { dir: string; cleanup: () => void };
beforeEach(() => (t = tempDir('kafka-ts-snapshot-slices-')));
afterEach(() => t.cleanup());

const open = () => ClusterMetadata.open(t.dir, { log: silentLogger, snapshotBytes: 4096, snapshotSliceMs: 0 });
const comparable = (md: ClusterMetadata) =>
  md
    .allTopics()
    .map((x: TopicState) => ({ ...x, id: x.id.toString('hex') }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

describe('metadata snapshot in slices', () => {
  it('holds the topics as of its offset while they change during serialization; a restart gives back the live state', async () => {
    const md = open();
    for (let i = 0; i < 60; i++) md.createTopic(`t-${i}`, [[1], [1]], {});
    // The snapshot starts on the next turn, serializing one topic a turn (snapshotSliceMs 0).
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setImmediate(r));
    md.updatePartitions('t-50', (x) => {
      x.partitions[0]!.isr = [];
      x.partitions[0]!.leaderEpoch = 7;
      return [0];
    });
    md.setTopicConfigs('t-51', { 'retention.ms': '5' });
    md.deleteTopic('t-52');
    md.createTopic('t-52', [[1], [1], [1]], {});
    md.createTopic('during', [[1]], {});
    const live = comparable(md);
    await md.close();

    const snap = md.lastSnapshot!;
    expect(snap.slices, 'serialized over several turns').toBeGreaterThan(2);
    const doc = JSON.parse(readFileSync(join(t.dir, 'snapshot.json'), 'utf8')) as { topics: { name: string; configs: Record<string, string>; partitions: { isr: number[]; leaderEpoch: number }[] }[] };
    const byName = new Map(doc.topics.map((x) => [x.name, x]));
    expect(doc.topics).toHaveLength(60);
    expect(byName.has('during')).toBe(false);
    expect(byName.get('t-50')!.partitions[0]).toMatchObject({ isr: [1], leaderEpoch: 0 });
    expect(byName.get('t-51')!.configs).toEqual({});
    expect(byName.get('t-52')!.partitions).toHaveLength(2);

    const again = open();
    expect(comparable(again)).toEqual(live);
    expect(again.topic('t-50')!.partitions[0]).toMatchObject({ isr: [], leaderEpoch: 7 });
    expect(again.topic('t-52')!.partitions).toHaveLength(3);
    await again.close();
  });
});
