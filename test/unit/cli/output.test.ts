import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputClosed } from '../../../src/cli/errors.js';
import { Output } from '../../../src/cli/output.js';

const stream = () => new PassThrough() as unknown as NodeJS.WriteStream;

describe('Output', () => {
  it('adds one error listener to a stream however many Outputs write to it', () => {
    const s = stream();
    const before = s.listenerCount('error');
    for (let i = 0; i < 20; i++) new Output(s);
    expect(s.listenerCount('error')).toBe(before + 1);
  });

  it('stops every Output of a stream whose reader went away, quietly at end()', async () => {
    const s = stream();
    const [a, b] = [new Output(s), new Output(s)];
    a.write('x');
    s.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(a.isClosed && b.isClosed).toBe(true);
    expect(() => b.write('y')).toThrow(OutputClosed);
    await expect(a.flush()).rejects.toThrow(OutputClosed);
    await expect(b.end()).resolves.toBeUndefined();
    expect(new Output(stream()).isClosed).toBe(false);
  });

  it('writes what it buffered in order', async () => {
    const s = stream();
    let got = '';
    (s as unknown as PassThrough).on('data', (d: Buffer) => (got += d.toString()));
    const o = new Output(s);
    o.line('one');
    o.write(Buffer.from('two\n'));
    await o.end();
    expect(got).toBe('one\ntwo\n');
  });
});
