/**
 * The runtime's local pieces: the append-only file store (replay, torn tail, compaction), the
 * state directory (locks, Kafka's checkpoint layout, a state dir that is not writable) and the
 * Streams assignor's task plan (balanced, sticky, all sources of a task together).
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBytesStore } from '../../../src/streams/stores/file.js';
import { StateDirectory } from '../../../src/streams/runtime/state-dir.js';
import { assignTasks, streamsAssignor, tasksOf } from '../../../src/streams/runtime/assignor.js';
import { parseStreamsConfig } from '../../../src/streams/runtime/config.js';
import { tempDir } from '../../helpers/tmp.js';

const b = (s: string) => Buffer.from(s);
const dirs: { cleanup: () => void }[] = [];
const tmp = () => {
  const t = tempDir('streams-unit-');
  dirs.push(t);
  return t.dir;
};
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe('FileBytesStore', () => {
  it('replays puts and tombstones after a reopen, ignoring a torn tail, and compacts on close', () => {
    const path = join(tmp(), 'stores', 's.log');
    const s = new FileBytesStore('s', path);
    for (let i = 0; i < 100; i++) s.put(b(`k${i % 10}`), b(`v${i}`));
    s.put(b('k3'), null);
    s.flush();
    const grown = statSync(path).size;
    appendFileSync(path, Buffer.from([1, 0, 0, 0, 9])); // a torn record header
    const r = new FileBytesStore('s', path);
    expect(r.size()).toBe(9);
    expect(Buffer.from(r.get(b('k9'))!).toString()).toBe('v99');
    expect(r.get(b('k3'))).toBeUndefined();
    expect([...r.range(b('k1'), b('k2'))].map(([k]) => Buffer.from(k).toString())).toEqual(['k1', 'k2']);
    r.put(b('k0'), b('last'));
    r.close();
    expect(statSync(path).size).toBeLessThan(grown);
    const again = new FileBytesStore('s', path);
    expect(Buffer.from(again.get(b('k0'))!).toString()).toBe('last');
    expect(again.size()).toBe(9);
    again.destroy();
    expect(new FileBytesStore('s', path).size()).toBe(0);
  });
});

describe('StateDirectory', () => {
  it('locks task dirs per instance and writes checkpoints in Kafka layout', () => {
    const root = tmp();
    const a = new StateDirectory(root, 'app', 'proc-a');
    const other = new StateDirectory(root, 'app', 'proc-b');
    expect(a.lock('0_1')).toBe(true);
    expect(other.lock('0_1')).toBe(false);
    a.unlock('0_1');
    expect(other.lock('0_1')).toBe(true);
    other.unlock('0_1');
    // A lock left by a process that is gone is taken over.
    mkdirSync(join(root, 'app', '0_2'), { recursive: true });
    writeFileSync(join(root, 'app', '0_2', '.lock'), '999999999 dead\n');
    expect(a.lock('0_2')).toBe(true);
    a.writeCheckpoint('0_2', new Map([['app-store-changelog\u00002', 42]]));
    expect(readFileSync(join(root, 'app', '0_2', '.checkpoint'), 'utf8')).toBe('0\n1\napp-store-changelog 2 42\n');
    expect([...a.readCheckpoint('0_2')]).toEqual([['app-store-changelog\u00002', 42]]);
    a.deleteCheckpoint('0_2');
    expect(a.readCheckpoint('0_2').size).toBe(0);
  });

  it('says clearly when the state dir is not writable', () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const root = tmp();
    chmodSync(root, 0o500);
    try {
      expect(() => new StateDirectory(root, 'app', 'p')).toThrow(`state.dir ${root} is not writable: EACCES`);
    } finally {
      chmodSync(root, 0o700);
    }
  });
});

describe('Streams assignor', () => {
  it('makes one task per partition of a sub-topology, with all its sources', () => {
    const tasks = tasksOf(new Map([[0, ['a', 'b']], [1, ['app-x-repartition']]]), new Map([['a', 2], ['b', 2], ['app-x-repartition', 3]]));
    expect(tasks.map((t) => `${t.id.subtopology}_${t.id.partition}:${t.partitions.map((p) => p.topic).join('+')}`)).toEqual(['0_0:a+b', '0_1:a+b', '1_0:app-x-repartition', '1_1:app-x-repartition', '1_2:app-x-repartition']);
  });

  it('balances task counts and keeps tasks with their previous owners', () => {
    const ids = ['0_0', '0_1', '0_2', '0_3', '0_4', '0_5'];
    const first = assignTasks(ids, [{ id: 'm1', prev: [], state: [] }, { id: 'm2', prev: [], state: [] }, { id: 'm3', prev: [], state: [] }]);
    expect([...first.values()].map((t) => t.length)).toEqual([2, 2, 2]);
    // m3 leaves: m1 and m2 keep theirs and share m3's.
    const second = assignTasks(ids, [{ id: 'm1', prev: first.get('m1')!, state: [] }, { id: 'm2', prev: first.get('m2')!, state: [] }]);
    expect(second.get('m1')!.slice(0, 2)).toEqual(first.get('m1'));
    expect(second.get('m2')!.slice(0, 2)).toEqual(first.get('m2'));
    expect(second.get('m1')!.length + second.get('m2')!.length).toBe(6);
    // A new member gets a fair share; nobody has two more than another.
    const third = assignTasks(ids, [...[...second].map(([id, prev]) => ({ id, prev, state: [] })), { id: 'm0', prev: [], state: ['0_5'] }]);
    expect([...third.values()].map((t) => t.length)).toEqual([2, 2, 2]);
  });

  it('encodes the plan as partitions per member, with user data both ways', () => {
    const a = streamsAssignor(new Map([[0, ['in']]]), () => ({ process: 'p1', prev: ['0_1'], state: [] }));
    const sub = a.subscriptionUserData!()!;
    expect(JSON.parse(sub.toString())).toEqual({ v: 1, process: 'p1', prev: ['0_1'], state: [] });
    const out = a.assign(
      [
        { memberId: 'x', groupInstanceId: null, topics: ['in'], owned: new Map(), generation: 1, userData: sub },
        { memberId: 'y', groupInstanceId: null, topics: ['in'], owned: new Map(), generation: 1, userData: null },
      ],
      new Map([['in', 2]]),
    );
    expect(out.get('x')!.get('in')).toEqual([1]);
    expect(out.get('y')!.get('in')).toEqual([0]);
    expect(JSON.parse(out.userData!.get('x')!.toString())).toEqual({ v: 1, tasks: ['0_1'] });
  });
});

describe('StreamsConfig', () => {
  it('has Kafka defaults and refuses removed or unknown values', () => {
    const c = parseStreamsConfig({ 'application.id': 'app' });
    expect(c).toMatchObject({ processingGuarantee: 'at_least_once', commitIntervalMs: 30000, replicationFactor: -1, deserializationErrors: 'fail', clientId: 'app' });
    expect(c.stateDir).toMatch(/kafka-streams$/);
    expect(parseStreamsConfig({ 'application.id': 'app', 'processing.guarantee': 'exactly_once_v2' }).commitIntervalMs).toBe(100);
    expect(parseStreamsConfig({ 'application.id': 'app', 'default.deserialization.exception.handler': 'org.apache.kafka.streams.errors.LogAndContinueExceptionHandler' }).deserializationErrors).toBe('continue');
    expect(() => parseStreamsConfig({ 'application.id': 'app', 'processing.guarantee': 'exactly_once_beta' })).toThrow(/removed in 4.0; use exactly_once_v2/);
    expect(() => parseStreamsConfig({ 'application.id': 'app', 'commit.interval.ms': 'soon' })).toThrow('Invalid value soon for configuration commit.interval.ms: Not a number of type INT');
  });
});
