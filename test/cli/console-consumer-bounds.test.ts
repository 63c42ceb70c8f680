/**
 * console-consumer --offset START:END on transactional topics: the read stops at END even when a
 * transaction marker (or, in read_committed, an aborted batch) follows the records before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
const kt = (args: string[], input?: string): Promise<RunResult> => kafkaTs(args, { home, input });

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-bounds-'));
  await startDaemon(home);
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

/**
 * Records v0..v(n-1) with timestamps 1000+i in transactions of `size`; with `abortAfter`, that
 * many more records and a line that is not JSON, which makes the producer abort their transaction.
 */
async function transactional(topic: string, n: number, size: number, abortAfter = 0): Promise<void> {
  expect((await kt(['topics', 'create', topic, '-p', '1'])).exitCode).toBe(0);
  const line = (i: number) => JSON.stringify({ key: null, value: `v${i}`, headers: [], timestamp: 1000 + i });
  const lines = [...Array.from({ length: n + abortAfter }, (_, i) => line(i)), ...(abortAfter ? ['not json'] : [])].join('\n');
  const r = await kt(['console-producer', '--topic', topic, '--input', 'json', '--transactional-id', `${topic}-tx`, '--transaction-size', String(size)], lines);
  expect(r.exitCode, r.stderr).toBe(abortAfter ? 1 : 0);
}

const firstFive = { stdout: ['0', '1', '2', '3', '4'].map((o) => `Offset:${o}\tv${o}\n`).join(''), stderr: 'Processed a total of 5 messages\n', exitCode: 0 };

describe('console-consumer --offset START:END', () => {
  it('stops at END when the transaction marker follows (END as an offset and as @TIME)', async () => {
    // One committed transaction: offsets 0-9, its marker at 10, the end of the log.
    await transactional('bounded-txn', 10, 10);
    for (const offset of ['0:5', '0:@1005', 'earliest:@1005']) {
      for (const isolation of ['read_uncommitted', 'read_committed']) {
        const r = await kt(['console-consumer', '--topic', 'bounded-txn', '--offset', offset, '--isolation-level', isolation, '--property', 'print.offset=true']);
        expect({ offset, isolation, ...r }).toEqual({ offset, isolation, ...firstFive });
      }
    }
  });

  it('read_committed: stops at END when an aborted transaction follows', async () => {
    // Committed: 0-9 and its marker at 10; aborted: 11-13 and their marker at 14.
    await transactional('bounded-aborted', 10, 10, 3);
    for (const offset of ['0:5', '0:@1005']) {
      const r = await kt(['console-consumer', '--topic', 'bounded-aborted', '--offset', offset, '--isolation-level', 'read_committed', '--property', 'print.offset=true']);
      expect({ offset, ...r }).toEqual({ offset, ...firstFive });
    }
  });

  it('with -e, stops at the end of the log when END lies past it (it waited for records up to END)', async () => {
    // Partition 0 holds 5 records, partition 1 holds 12: END 10 is past the first, inside the second.
    expect((await kt(['topics', 'create', 'bounded-e', '-p', '2'])).exitCode).toBe(0);
    const lines = (p: number, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ key: null, value: `p${p}-${i}`, headers: [], partition: p })).join('\n');
    for (const [p, n] of [[0, 5], [1, 12]] as const) expect((await kt(['console-producer', '--topic', 'bounded-e', '--input', 'json'], lines(p, n))).exitCode).toBe(0);
    const one = await kt(['console-consumer', '--topic', 'bounded-e', '--partition', '0', '--offset', '2:10', '-e']);
    expect(one).toEqual({ stdout: 'p0-2\np0-3\np0-4\n', stderr: 'Processed a total of 3 messages\n', exitCode: 0 });
    const both = await kt(['console-consumer', '--topic', 'bounded-e', '--offset', '3:10', '-e']);
    expect(both.exitCode, both.stderr).toBe(0);
    expect(both.stdout.split('\n').filter(Boolean).sort()).toEqual([...['p0-3', 'p0-4'], ...Array.from({ length: 7 }, (_, i) => `p1-${i + 3}`)].sort());
    expect(both.stderr).toBe('Processed a total of 9 messages\n');
  });
});
