/**
 * A streaming console-consumer whose broker goes away says so on stderr once (it retries, as
 * Kafka's consumer does, rather than exit), and says so again when the broker is back, then goes
 * on consuming: it was silent while the broker was down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon, untilStderr } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let home: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-reconnect-'));
  await startDaemon(home);
  expect((await kafkaTs(['topics', 'create', 'comeback', '-p', '1'], { home })).exitCode).toBe(0);
  expect((await kafkaTs(['console-producer', '--topic', 'comeback'], { home, input: 'before\n' })).exitCode).toBe(0);
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

/** Resolves once the process printed `text` on stdout, or ended. */
function untilStdout(proc: ReturnType<typeof spawnKafkaTs>, text: string): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = '';
    proc.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    });
    void proc.then(() => resolve());
  });
}

describe('console-consumer while its broker is away', () => {
  it('warns once that the connection was lost, once that it is back, and consumes what came meanwhile', async () => {
    const consumer = spawnKafkaTs(['console-consumer', '--topic', 'comeback', '--from-beginning'], home);
    // Listening from the start: each resolves when its text has been printed (or the process ended).
    const [first, lost, after, back] = [
      untilStdout(consumer, 'before\n'),
      untilStderr(consumer, /WARN Connection to broker 1 was lost \(.+\); retrying until it is back\n/),
      untilStdout(consumer, 'after\n'),
      untilStderr(consumer, 'Connected to broker 1 again; consuming\n'),
    ];
    try {
      await first;
      await stopDaemon(home);
      await lost;
      await startDaemon(home);
      expect((await kafkaTs(['console-producer', '--topic', 'comeback'], { home, input: 'after\n' })).exitCode).toBe(0);
      await after;
      await back;
    } finally {
      consumer.kill('SIGTERM');
    }
    const r = await consumer;
    expect(String(r.stdout)).toBe('before\nafter\n');
    const lines = String(r.stderr).split('\n');
    expect(lines.filter((l) => l.startsWith('WARN Connection to broker 1 was lost')), String(r.stderr)).toHaveLength(1);
    expect(lines.filter((l) => l === 'Connected to broker 1 again; consuming'), String(r.stderr)).toHaveLength(1);
    expect(lines).toContain('Processed a total of 2 messages');
  });
});
