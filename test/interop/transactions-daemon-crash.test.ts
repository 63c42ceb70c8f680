/**
 * Exactly once across broker crashes: the daemon is SIGKILLed while a confluent-kafka
 * consume-transform-produce loop is inside a transaction (the loop goes down with it, as an
 * application on the same host would), then both are restarted; the coordinator reloads the
 * transaction from __transaction_state and the new instance's init_transactions aborts it. Nothing
 * committed is lost, nothing aborted becomes visible in read_committed, group offsets match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTs } from '../helpers/cli.js';
import { EosEnv, sleep } from './transactions-eos-lib.js';

const env = new EosEnv();

beforeAll(() => env.start(), 60_000);
afterAll(() => env.stop());

describe('the daemon SIGKILLed mid-transaction', () => {
  it('3 times, restarted each time: nothing committed is lost, nothing aborted becomes visible', { timeout: 120_000 }, async () => {
    const total = 3000;
    const names = { input: 'crash-in', output: 'crash-out', group: 'crash-group', txn: 'crash-txn-id' };
    await env.topics(names, total);
    const port = env.bootstrap.split(':').pop()!;
    const log: string[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const inst = env.instance(names, total);
      await Promise.race([inst.firstCommit, sleep(20_000)]);
      await sleep(Math.random() * 300);
      process.kill(env.daemonPid, 'SIGKILL');
      // The loop's client cannot reach the broker now; the instance is stopped as an application would be restarted.
      inst.proc.kill('SIGKILL');
      await inst.ended;
      const r = await kafkaTs(['server', 'start', '--port', port, '--schema-registry-port', '0', '--data-dir', env.home, '--output', 'json'], { home: env.home, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      env.daemonPid = (JSON.parse(r.stdout) as { pid: number }).pid;
      log.push(`kill ${kill}: instance committed ${inst.output().committed}`);
    }
    const last = env.instance(names, total);
    const r = await Promise.race([last.ended, sleep(60_000).then(() => null)]);
    if (!r || r.exitCode !== 0) throw new Error(`the final instance did not finish: ${JSON.stringify(last.output()).slice(-2000)}\n${log.join('\n')}`);
    await env.checkExactlyOnce(names.input, names.output, names.group, total, log);
  });
});
