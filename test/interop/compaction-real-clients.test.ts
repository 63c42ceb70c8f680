/**
 * Real clients on a compacted topic: kcat writes keyed records, the daemon's log cleaner
 * compacts them, and kcat, kafka-python and confluent-kafka read the compacted log — offsets
 * with gaps, batches whose last records are gone — getting the latest value of every key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { kcat, parseJsonLines, python, requirePython, type PyRecord } from '../helpers/real-clients.js';
import { Admin, RESOURCE_TOPIC } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-compaction-interop-'));
  ({ bootstrap } = await startDaemon(home, ['--override', 'log.cleaner.backoff.ms=100']));
  await requirePython('kafka');
  await requirePython('confluent_kafka');
});

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

/** key=value lines of the whole partition, as kcat reads it (with offsets). */
async function kcatRead(topic: string): Promise<{ offset: number; key: string; value: string }[]> {
  const r = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o %k=%s\\n']);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [o, kv] = [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)];
      return { offset: Number(o), key: kv.slice(0, kv.indexOf('=')), value: kv.slice(kv.indexOf('=') + 1) };
    });
}

describe('a compacted topic', () => {
  it('is compacted by the daemon and read correctly by kcat, kafka-python and confluent-kafka', { timeout: 120_000 }, async () => {
    const create = await kafkaTs(
      // min.compaction.lag.ms holds the cleaner back until everything is written, so that one
      // pass cleans all closed segments and the log is stable once kcat sees it compacted.
      ['topics', 'create', 'profiles', '-p', '1', '--config', 'cleanup.policy=compact', '--config', 'segment.bytes=4096', '--config', 'min.cleanable.dirty.ratio=0.01', '--config', 'min.compaction.lag.ms=3600000', '--bootstrap-server', bootstrap],
      { home },
    );
    expect(create.exitCode, create.stderr).toBe(0);
    const N = 3000;
    const lines = Array.from({ length: N }, (_, i) => `user-${i % 25}:v${i}`).join('\n');
    const produced = await kcat(['-b', bootstrap, '-P', '-t', 'profiles', '-K', ':', '-X', 'linger.ms=0', '-X', 'batch.num.messages=20'], { input: `${lines}\n` });
    expect(produced.exitCode, produced.stderr).toBe(0);
    const admin = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'compaction-test' });
    try {
      await new Admin(admin).alterConfigs(RESOURCE_TOPIC, 'profiles', { 'min.compaction.lag.ms': '0' });
    } finally {
      await admin.close();
    }

    // The cleaner runs every 100 ms; wait until kcat sees a compacted log that has stopped
    // changing (on a loaded machine a pass can still be swapping segments when first seen, and a
    // later pass can shrink it further: the Python clients must read the same log).
    let seen = await kcatRead('profiles');
    let previous: typeof seen = [];
    const deadline = Date.now() + 60_000;
    while ((seen.length >= N || seen.length !== previous.length) && Date.now() < deadline) {
      previous = seen;
      seen = await kcatRead('profiles');
    }
    expect(seen.length).toBeLessThan(N);
    expect(seen.length, 'the compacted log kept changing').toBe(previous.length);

    // Every key's latest value survived, offsets only grow, and the last record is where it was.
    const latest = new Map<string, string>();
    for (let i = 0; i < N; i++) latest.set(`user-${i % 25}`, `v${i}`);
    const lastSeen = new Map(seen.map((r) => [r.key, r.value]));
    expect(lastSeen).toEqual(latest);
    expect(seen.at(-1)!.offset).toBe(N - 1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.offset).toBeGreaterThan(seen[i - 1]!.offset);

    // The Python clients read the same records at the same offsets.
    const want = seen.map((r) => [r.offset, r.key, r.value]);
    for (const lib of ['kafka-python', 'confluent-kafka']) {
      const r = await python(['consume', lib, bootstrap, 'profiles', '1', String(seen.length)]);
      expect(r.exitCode, `${lib}: ${r.stderr}`).toBe(0);
      const got = parseJsonLines<PyRecord>(r.stdout).map((x) => [x.o, Buffer.from(x.k!, 'base64').toString(), Buffer.from(x.v!, 'base64').toString()]);
      expect(got, lib).toEqual(want);
    }
  });
});
