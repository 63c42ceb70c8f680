import { describe, expect, it } from 'vitest';
import { printSteps, StepReport } from '../../../src/cli/view.js';

const sink = () => {
  let out = '';
  const warned: string[] = [];
  return { io: { out: { write: (s: string | Buffer) => void (out += s.toString()) }, warn: (l: string) => void warned.push(l) }, warned, get out() { return out; } };
};

describe('printSteps', () => {
  it('prints the lines and text the steps reported, and returns their outcome', async () => {
    const s = sink();
    const exit = await printSteps(s.io, false, async (r) => {
      r.line('Successfully cancelled partition reassignment(s) for: slow-0');
      r.write('None of the specified partition moves are active.');
      r.line('Clearing topic-level throttles on topic slow');
      r.data = { cancelled: [] };
      return 'Failure';
    });
    expect(exit).toBe('Failure');
    expect(s.out).toBe('Successfully cancelled partition reassignment(s) for: slow-0\nNone of the specified partition moves are active.Clearing topic-level throttles on topic slow\n');
  });

  it('prints only the JSON document in JSON mode', async () => {
    const s = sink();
    await printSteps(s.io, true, async (r) => {
      r.line('text');
      r.data = { reassignments: [] };
      return 'Ok';
    });
    expect(s.out).toBe('{"reassignments":[]}\n');
  });

  it('still prints what was reported before a step failed, then fails', async () => {
    const s = sink();
    const failure = printSteps(s.io, false, async (r) => {
      r.line('Current partition replica assignment');
      throw new Error('broker went away');
    });
    await expect(failure).rejects.toThrow('broker went away');
    expect(s.out).toBe('Current partition replica assignment\n');
  });

  it('prints nothing in JSON mode when the document was not known yet', async () => {
    const s = sink();
    await expect(printSteps(s.io, true, async (r) => { r.line('x'); throw new Error('no'); })).rejects.toThrow('no');
    expect(s.out).toBe('');
  });

  it('printSoFar prints and starts afresh (before a long wait)', () => {
    const s = sink();
    const r = new StepReport();
    r.line('Successfully started partition reassignment for slow-0');
    r.printSoFar(s.io, false);
    r.line('Status of partition reassignment:');
    expect(s.out).toBe('Successfully started partition reassignment for slow-0\n');
    expect(r.view().text()).toBe('Status of partition reassignment:\n');
  });
});
