/**
 * printLoop counts a record as printed only once its bytes have left the process: what was
 * flushed into a pipe whose reader then went away comes back as unprinted (the group mode seeks
 * back to it rather than committing it).
 */
import { describe, expect, it } from 'vitest';
import { noneConsumed, printLoop, type ConsumeOptions, type RecordSink } from '../../../src/tools/console-consumer.js';
import type { ConsumedRecord } from '../../../src/client/consumer/fetcher.js';
import { formatterConfig } from '../../../src/tools/message-format.js';
import { OutputClosed } from '../../../src/util/errors.js';

const record = (partition: number, offset: number): ConsumedRecord => ({
  topic: 't',
  partition,
  offset,
  timestamp: 0,
  timestampType: 'CreateTime',
  leaderEpoch: 0,
  key: null,
  value: Buffer.from(`${partition}:${offset}`),
  headers: [],
});

/** A sink like stdout into a pipe: flushes are accepted, and each one's fate is told later. */
class PipeSink implements RecordSink {
  readonly written: string[] = [];
  private readonly callbacks: ((written: boolean) => void)[] = [];
  private flushes = 0;
  /** Flushes after this many fail (the reader is gone); later writes throw OutputClosed. */
  constructor(private readonly goodFlushes: number, private readonly closedAfter: number) {}
  write(data: string | Buffer): void {
    if (this.flushes >= this.closedAfter) throw new OutputClosed('stdout closed');
    this.written.push(data.toString());
  }
  async flush(): Promise<void> {
    this.flushes++;
  }
  afterWritten(done: (written: boolean) => void): void {
    const ok = this.callbacks.length < this.goodFlushes;
    this.callbacks.push(done);
    // Told on a later turn, as a pipe's write callback is.
    setImmediate(() => done(ok));
  }
}

const opts: ConsumeOptions = { maxMessages: -1, timeoutMs: null, skipMessageOnError: false, format: 'default', formatter: formatterConfig({}) };
const polls = [
  [record(0, 0), record(1, 0)],
  [record(0, 1), record(1, 1)],
  [record(0, 2), record(1, 2)],
  [record(0, 3)],
  [record(0, 4)],
];

async function run(sink: PipeSink) {
  let i = 0;
  return printLoop(async () => ({ records: polls[i++] ?? [], done: i > polls.length }), opts, { out: sink, warn: () => {}, interrupted: new Promise(() => {}) });
}

describe('printLoop and writes that never leave the process', () => {
  it('gives back, in order, the records of flushes that failed and of the write that found the output closed', async () => {
    // Two flushes are written; the third and fourth are accepted but never written; the fifth write finds stdout closed.
    const result = await run(new PipeSink(2, 4));
    expect(result.outputClosed).toBe(true);
    expect(result.unprinted.map((r) => `${r.partition}:${r.offset}`)).toEqual(['0:2', '1:2', '0:3', '0:4']);
  });

  it('gives back nothing when every flush was written', async () => {
    const result = await run(new PipeSink(Infinity, Infinity));
    expect(result.outputClosed).toBe(false);
    expect(result.unprinted).toEqual([]);
    expect(result.processed).toBe(8);
  });
});

describe('printLoop and records it never printed', () => {
  const sink = () => new PipeSink(Infinity, Infinity);
  const io = (out: RecordSink) => ({ out, warn: () => {}, interrupted: new Promise(() => {}) });
  const valued = (offset: number, value: string): ConsumedRecord => ({ ...record(0, offset), value: Buffer.from(value) });

  it('a record the formatter fails on and the rest of its poll are unprinted (without --skip-message-on-error)', async () => {
    const ints = { ...opts, formatter: formatterConfig({ 'value.deserializer': 'org.apache.kafka.common.serialization.IntegerDeserializer' }) };
    const poll = [valued(0, 'abcd'), valued(1, 'abcd'), valued(2, 'bad-value'), valued(3, 'abcd'), valued(4, 'abcd')];
    let polls = 0;
    const result = await printLoop(async () => ({ records: polls++ === 0 ? poll : [], done: polls > 1 }), ints, io(sink()));
    expect(result.failure).toMatch(/./);
    expect(result.processed).toBe(3);
    expect(result.unprinted.map((r) => r.offset)).toEqual([2, 3, 4]);
  });

  it('when a poll or a schema lookup throws, the result passed in still names the records not printed', async () => {
    // The schema registry is unreachable from the second poll on: nothing of it is printed.
    let n = 0;
    const out = sink();
    const result = noneConsumed();
    const prepare = async () => {
      if (n > 1) throw new Error('registry unreachable');
    };
    const unreachable = { ...opts, schema: { prepare, at: () => {}, json: () => '' } };
    await expect(printLoop(async () => ({ records: polls[n++]!, done: false }), unreachable, io(out), result)).rejects.toThrow('registry unreachable');
    expect(out.written.join('')).toBe('0:0\n1:0\n');
    expect(result.processed).toBe(2);
    expect(result.unprinted.map((r) => `${r.partition}:${r.offset}`)).toEqual(['0:1', '1:1']);
    // The poll itself fails: everything before it was printed.
    n = 0;
    const again = noneConsumed();
    const pollFails = async () => {
      if (n++ > 0) throw new Error('poll failed');
      return { records: polls[0]!, done: false };
    };
    await expect(printLoop(pollFails, opts, io(sink()), again)).rejects.toThrow('poll failed');
    expect(again.unprinted).toEqual([]);
    expect(again.processed).toBe(2);
  });
});
