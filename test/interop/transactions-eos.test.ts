/**
 * Exactly once with librdkafka: a confluent-kafka consume-transform-produce loop
 * (send_offsets_to_transaction, read_committed input, static group member) is SIGKILLed at random
 * points and restarted; each new instance fences the one before it and the coordinator aborts the
 * killed instance's open transaction. At the end the output topic read in read_committed holds
 * each input record exactly once, and the group's committed offsets are the input's end offsets.
 *
 * TXN_EOS_CYCLES sets the number of kills (default 20; more by hand:
 * TXN_EOS_CYCLES=50 npx vitest run test/interop/transactions-eos.test.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { EosEnv, sleep } from './transactions-eos-lib.js';

const CYCLES = Number(process.env.TXN_EOS_CYCLES ?? 20);
const TOTAL = 1000 + CYCLES * 150;
const env = new EosEnv();
const names = { input: 'eos-in', output: 'eos-out', group: 'eos-group', txn: 'eos-txn-id' };

beforeAll(() => env.start(), 60_000);
afterAll(() => env.stop());

describe('confluent-kafka consume-transform-produce, SIGKILLed and restarted', () => {
  it(`${CYCLES} kills: each input record is in the read_committed output exactly once; group offsets match`, { timeout: 55_000 + CYCLES * 2500 }, async () => {
    await env.topics(names, TOTAL);

    const log: string[] = [];
    let finished = false;
    for (let cycle = 0; cycle < CYCLES && !finished; cycle++) {
      const inst = env.instance(names, TOTAL);
      // A random point: before the first commit (as it starts), or some time into the loop.
      if (Math.random() < 0.25) await Promise.race([sleep(Math.random() * 1500), inst.ended]);
      else {
        await Promise.race([inst.firstCommit, sleep(20_000)]);
        await Promise.race([sleep(Math.random() * 400), inst.ended]);
      }
      inst.proc.kill('SIGKILL');
      const r = await inst.ended;
      const o = inst.output();
      log.push(`cycle ${cycle}: committed ${o.committed} before ${r.signal ?? `exit ${r.exitCode}`}`);
      if (r.exitCode === 0) finished = true;
      else if (r.signal !== 'SIGKILL') throw new Error(`instance ${cycle} failed (${r.exitCode}):\n${o.err}\n${log.join('\n')}`);
    }
    // The last instance runs to the end of the input.
    if (!finished) {
      const last = env.instance(names, TOTAL);
      const r = await Promise.race([last.ended, sleep(45_000).then(() => null)]);
      if (!r || r.exitCode !== 0) throw new Error(`the final instance did not finish: ${JSON.stringify(last.output()).slice(-2000)}\n${log.join('\n')}`);
    }

    await env.checkExactlyOnce(names.input, names.output, names.group, TOTAL, log);
    console.log(`transactions-eos: ${log.length} cycles\n${log.join('\n')}`);
  });
});
