import { describe, expect, it } from 'vitest';
import { crashReport } from '../../../src/cli/main.js';
import { OutputClosed } from '../../../src/cli/errors.js';

describe('crashReport (the last-resort handler)', () => {
  it('ends quietly with 0 when the reader of stdout went away', () => {
    expect(crashReport(new OutputClosed('stdout closed'), false)).toEqual({ text: '', code: 0 });
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' });
    expect(crashReport(epipe, true)).toEqual({ text: '', code: 0 });
  });

  it('prints one line, and the stack only in debug mode', () => {
    const e = new Error('first line\nsecond line');
    expect(crashReport(e, false)).toEqual({ text: 'kafka-ts: internal error: first line (run with --debug for the stack trace)\n', code: 1 });
    const debug = crashReport(e, true);
    expect(debug.code).toBe(1);
    expect(debug.text).toBe(`kafka-ts: internal error: first line\n${e.stack}\n`);
    expect(crashReport('a string reason', false).text).toBe('kafka-ts: internal error: a string reason (run with --debug for the stack trace)\n');
  });
});
