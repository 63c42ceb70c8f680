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

/**
 * What the test has seen so far, with times; a failure reports it with the pane, so a slow or
 * stuck phase on a loaded CI machine says which phase it was and what the watcher showed.
 */
let began = Date.now();
const timeline: string[] = [];
const mark = (what: string) => timeline.push(`${((Date.now() - began) / 1000).toFixed(1)}s ${what}`);
/** Every wait shares one deadline, well inside the test's own timeout, so ours fires first. */
const TEST_TIMEOUT_MS = 150_000;
let deadline = 0;

async function capturePane(): Promise<string> {
  return (await tmux('capture-pane', '-p', '-t', 'lag')).stdout;
}

/** Polls the pane until `match` finds what it wants (returns it), or fails at the deadline. */
async function waitForPane<T>(what: string, match: (pane: string) => T | null | undefined | false): Promise<T> {
  for (;;) {
    const pane = await capturePane();
    const found = match(pane);
    if (found !== null && found !== undefined && found !== false) {
      mark(`${what}: ${JSON.stringify(summary(pane) ?? found)}`);
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\ntimeline:\n  ${timeline.join('\n  ')}\nthe pane shows:\n${pane}`);
    }
    await sleep(100);
  }
}

/** Bounds a wind-down step (flush, close) by the deadline, naming it if it hangs. */
async function bounded(what: string, step: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish\ntimeline:\n  ${timeline.join('\n  ')}`)), Math.max(1_000, deadline - Date.now()));
  });
  try {
    await Promise.race([step, late]);
  } finally {
    clearTimeout(timer);
  }
  mark(`${what} done`);
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
  began = Date.now();
  deadline = began + TEST_TIMEOUT_MS - 20_000;
  // The workload: about 200 records/s produced; the group takes `perRound` records per round of
  // at least 100 ms (about 100 records/s) and commits them, as a slow application would.
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
  let perRound = 10;
  let consumed = 0;
  const consumption = (async () => {
    while (consuming) {
      const records = await consumer.poll(100);
      // Hand back what this round does not take.
      if (records.length > perRound) consumer.seek(records[perRound]!.topic, records[perRound]!.partition, records[perRound]!.offset);
      if (records.length > 0 && consumed === 0) mark('the group consumes');
      consumed += Math.min(records.length, perRound);
      await consumer.commit().catch(() => undefined);
      await sleep(100);
    }
    await consumer.close();
  })();

  try {
    // The pane outlives the watcher (and shows how it ended), so an early exit is visible.
    // CI=true as CI services set it: Ink then draws only the last frame unless the watcher stops it.
    const command = `env KAFKA_TS_HOME=${home} NO_COLOR=1 CI=true ${process.execPath} ${BIN} lag slow --interval 500ms --window 4s; echo "[exited $?]"; sleep 600`;
    const start = await tmux('new-session', '-d', '-s', 'lag', '-x', '120', '-y', '30', command);
    expect(start.exitCode).toBe(0);
    mark('watcher started');

    const behind = await waitForPane('WARN with a growing backlog', (pane) => {
      const s = summary(pane);
      return s && s.status === 'WARN TREND' && s.drain === 'growing' ? s : null;
    });
    expect(behind.lag).toBeGreaterThan(0);
    const pane = await capturePane();
    expect(pane).toMatch(/PARTITION\s+COMMITTED\s+LOG-END\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS\s+CONSUMER-ID\/HOST\s+HISTORY/);
    // The member that owns the partition, and its host.
    expect(pane).toMatch(/stream-0\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+\S+\s+\S+\s+\S+\s+growing\s+WARN TREND\s+\S+ \/127\.0\.0\.1\s/);

    // Let the backlog build a little more, then stop producing.
    const backlog = await waitForPane('a backlog of 400 records', (p) => {
      const lag = summary(p)?.lag ?? 0;
      return lag >= 400 ? lag : null;
    });
    producing = false;
    await bounded('the producer flush', production);
    // Drain in about 60 rounds (6 s or more) whatever the backlog grew to on a slow machine:
    // long enough for several refreshes to show the estimate, short enough to finish in time.
    perRound = Math.max(10, Math.ceil(backlog / 60));

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
    await waitForPane('q to quit the watcher', (p) => /\[exited (\d+)\]/.exec(p)?.[1]);
    expect(await capturePane()).toMatch(/\[exited 0\]/);
  } finally {
    producing = false;
    consuming = false;
    await bounded('the producer flush', production);
    await bounded('the group consumer close', consumption);
  }
}, TEST_TIMEOUT_MS);
