/**
 * kafka-ts streams stopped (SIGTERM) after its broker went away: it says it is stopping, gives up
 * the final commit after a few seconds with one line naming the offsets it did not commit, and
 * ends as on any SIGTERM, rather than wait a minute and more for the client's timeouts in silence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let home: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-streams-gone-'));
  await startDaemon(home);
  for (const t of ['gone_in', 'gone_out']) expect((await kafkaTs(['topics', 'create', t], { home })).exitCode).toBe(0);
  expect((await kafkaTs(['console-producer', '--topic', 'gone_in'], { home, input: 'a\nbb\n' })).exitCode).toBe(0);
}, 60_000);
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('streams with its broker stopped', () => {
  it('stops within a few seconds of SIGTERM, saying so and naming the offsets it could not commit', async () => {
    const p = spawnKafkaTs(['streams', 'copy', '--from', 'gone_in', '--to', 'gone_out', '--application-id', 'gone-app'], home);
    let out = '';
    const running = new Promise<void>((resolve) => {
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('RUNNING tasks [0_0]')) resolve();
      });
      void p.then(() => resolve());
    });
    await running;
    // The two records are copied (read back from gone_out, however loaded the machine);
    // nothing is committed before commit.interval.ms (30 s).
    const copied = await kafkaTs(['console-consumer', '--topic', 'gone_out', '--from-beginning', '--max-messages', '2', '--timeout-ms', '30000'], { home });
    expect(copied.stdout, copied.stderr).toBe('a\nbb\n');
    await stopDaemon(home);
    const at = Date.now();
    process.kill(p.pid!, 'SIGTERM'); // not p.kill: execa follows it with SIGKILL after 5 s
    const r = await p;
    const took = Date.now() - at;
    // 5 s once the broker does not answer, with room for a loaded machine; the client's own
    // timeouts would hold it a minute and more.
    expect(took, `${r.stdout}\n${r.stderr}`).toBeLessThan(15_000);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('[gone-app] stopping: committing offsets and leaving the group');
    expect(r.stderr).toContain('[gone-app] final commit abandoned: the broker did not answer within 5 s; offsets not committed: gone_in-0 at 2');
    expect(r.stderr.split('\n').filter((l) => l.includes('final commit')), r.stderr).toHaveLength(1);
    expect(r.stderr).not.toContain('The application failed');
    expect(r.stdout).toContain('stopped on SIGTERM: processed 2 records, 0 commits');
  }, 120_000);
});
