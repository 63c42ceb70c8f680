/**
 * The lag watcher in a real terminal: tmux runs `kafka-ts lag` against a daemon where a producer
 * outpaces a consumer group. The pane must show WARN with a growing backlog; once the producer
 * stops, the backlog drains with an estimate that counts down and the status returns to OK; q quits.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { BIN, kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { Producer } from '../../src/client/producer/producer.js';

const SOCKET = `kafka-ts-test-${process.pid}`;
const tmux = (...args: string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;

beforeAll(async () => {
  if (!existsSync('/usr/bin/tmux')) throw new Error('tmux is missing; install it with: apt-get install -y tmux');
  ({ dir: home, cleanup } = tempDir('kafka-ts-tui-'));
  ({ bootstrap } = await startDaemon(home));
  expect((await kafkaTs(['topics', 'create', 'stream', '-p', '1'], { home })).exitCode).toBe(0);
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'tui-test' });
});

afterAll(async () => {
  await tmux('kill-server');
  await client?.close();
  await stopDaemon(home);
  cleanup();
});

/** Polls the pane until `match` finds what it wants (returns it), or fails after `timeoutMs`. */
async function waitForPane<T>(what: string, match: (pane: string) => T | null | undefined, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  let pane = '';
  for (;;) {
    pane = (await tmux('capture-pane', '-p', '-t', 'lag')).stdout;
    const found = match(pane);
    if (found !== null && found !== undefined && found !== false) return found;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; the pane shows:\n${pane}`);
    await sleep(100);
  }
}

/** The group summary line: "slow Stable · 1 member · WARN TREND · lag 1,234 · time lag 3s · drain growing". */
const SUMMARY = /^slow \S+ · \d+ members? · (\w+(?: \w+)?) · lag ([\d,]+) · time lag (\S+) · drain (\S+)$/m;
const summary = (pane: string) => {
  const m = SUMMARY.exec(pane);
  return m ? { status: m[1]!, lag: Number(m[2]!.replace(/,/g, '')), drain: m[4]! } : null;
};
/** "~12s" or "~1m05s" in seconds. */
const etaSeconds = (drain: string) => {
  const m = /^~(?:(\d+)m)?(\d+(?:\.\d+)?)s$/.exec(drain);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : null;
};

it('shows WARN and a growing backlog while the producer outpaces the group, then drains back to OK', async () => {
  // The workload: about 200 records/s produced, about 100 records/s consumed and committed.
  const producer = new Producer(client, { lingerMs: 5 });
  let producing = true;
  const production = (async () => {
    let i = 0;
    while (producing) {
      for (let k = 0; k < 10; k++) void producer.send({ topic: 'stream', partition: 0, value: Buffer.from(`r${i++}`) });
      await sleep(50);
    }
    await producer.flush();
  })();
  const consumer = new GroupConsumer(client, { groupId: 'slow', autoCommit: false, autoOffsetReset: 'earliest', maxWaitMs: 100 });
  consumer.subscribe(['stream']);
  let consuming = true;
  const consumption = (async () => {
    while (consuming) {
      const records = await consumer.poll(100);
      // Take ten records per round and hand the rest back, as a slow application would.
      if (records.length > 10) consumer.seek(records[10]!.topic, records[10]!.partition, records[10]!.offset);
      await consumer.commit().catch(() => undefined);
      await sleep(100);
    }
    await consumer.close();
  })();

  try {
    const start = await tmux('new-session', '-d', '-s', 'lag', '-x', '120', '-y', '30', `env KAFKA_TS_HOME=${home} NO_COLOR=1 ${process.execPath} ${BIN} lag slow --interval 500ms --window 4s`);
    expect(start.exitCode).toBe(0);

    const behind = await waitForPane('WARN with a growing backlog', (pane) => {
      const s = summary(pane);
      return s && s.status === 'WARN TREND' && s.drain === 'growing' ? s : null;
    });
    expect(behind.lag).toBeGreaterThan(0);
    const pane = (await tmux('capture-pane', '-p', '-t', 'lag')).stdout;
    expect(pane).toMatch(/PARTITION\s+COMMITTED\s+LOG-END\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS\s+HISTORY/);
    expect(pane).toMatch(/stream-0\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+\S+\s+\S+\s+\S+\s+growing\s+WARN TREND/);

    // Let the backlog build a little more, then stop producing.
    await waitForPane('a backlog of 400 records', (p) => (summary(p)?.lag ?? 0) >= 400);
    producing = false;
    await production;

    // Draining: an estimate appears and counts down; the status is OK again.
    const first = await waitForPane('a drain estimate', (p) => {
      const s = summary(p);
      const eta = s ? etaSeconds(s.drain) : null;
      return s && eta !== null && s.status === 'OK' ? { eta, lag: s.lag } : null;
    });
    const later = await waitForPane('the estimate to count down', (p) => {
      const s = summary(p);
      const eta = s ? etaSeconds(s.drain) : null;
      return eta !== null && eta < first.eta && s!.lag < first.lag ? { eta, lag: s!.lag } : null;
    });
    expect(later.eta).toBeLessThan(first.eta);
    await waitForPane('the backlog to drain', (p) => {
      const s = summary(p);
      return s && s.lag === 0 && (s.status === 'OK' || s.status === 'IDLE');
    });

    await tmux('send-keys', '-t', 'lag', 'q');
    const startWait = Date.now();
    while ((await tmux('has-session', '-t', 'lag')).exitCode === 0) {
      if (Date.now() - startWait > 10_000) throw new Error('q did not quit the watcher');
      await sleep(100);
    }
  } finally {
    producing = false;
    consuming = false;
    await production;
    await consumption;
  }
});
