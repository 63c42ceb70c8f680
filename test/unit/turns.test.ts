/**
 * Turns of request handling across connections (src/transport/turns.ts), on a clock the test
 * moves: each request "takes" 1 ms and a turn's slice is 2 ms.
 */
import { describe, expect, it } from 'vitest';
import { TurnScheduler } from '../../src/transport/turns.js';

/** A scheduler whose turns begin when the test says so. */
function harness(sliceMs = 2) {
  let clock = 0;
  const pending: (() => void)[] = [];
  const turns = new TurnScheduler(sliceMs, () => clock, (f) => void pending.push(f));
  const served: string[][] = [[]];
  /** A connection with `n` requests queued, handled one at a time as a connection's drain does. */
  async function connection(name: string, n: number, waitsFirst = true) {
    for (let i = 0; i < n; i++) {
      if (i > 0 || waitsFirst) for (let t = turns.wait(); t; t = turns.wait()) await t;
      served[served.length - 1]!.push(name);
      clock += 1;
      await Promise.resolve(); // a request's own awaits
    }
  }
  const settle = () => new Promise<void>((r) => setTimeout(r, 0));
  /** Runs the next turn; returns who was served in it. */
  async function turn() {
    served.push([]);
    const f = pending.shift();
    f?.();
    await settle();
    return served[served.length - 1]!;
  }
  return { turns, connection, turn, settle, served, pendingTurns: () => pending.length };
}

describe('TurnScheduler', () => {
  it('hands out no more than a slice a turn, and busy connections take turns in order', async () => {
    const h = harness();
    const done = Promise.all([h.connection('a', 4), h.connection('b', 4), h.connection('c', 4)]);
    await h.settle();
    // The first turn (started by the first to ask) serves a and b for 1 ms each.
    expect(h.served[0]).toEqual(['a', 'b']);
    const turns: string[][] = [];
    while (h.pendingTurns() > 0) turns.push(await h.turn());
    await done;
    // (A turn begun after the last request has nobody to serve.)
    expect(turns.at(-1)).toEqual([]);
    turns.pop();
    // c waited longest, then a and b (served in the turn before), and so on: two requests a turn.
    expect(turns).toEqual([
      ['c', 'a'],
      ['b', 'c'],
      ['a', 'b'],
      ['c', 'a'],
      ['b', 'c'],
    ]);
  });

  it('does not hold a request while the slice has room, and starts a slice per turn', async () => {
    const h = harness(5);
    await h.connection('quiet', 1);
    expect(h.served[0]).toEqual(['quiet']);
    expect(h.turns.queued).toBe(0);
    const busy = h.connection('busy', 6);
    await h.settle();
    // 1 ms went to quiet: busy gets the other 4 of this turn's slice, then the next turn's.
    expect(h.served[0]).toEqual(['quiet', 'busy', 'busy', 'busy', 'busy']);
    expect(h.turns.queued).toBe(1);
    expect(await h.turn()).toEqual(['busy', 'busy']);
    await busy;
    expect(h.turns.queued).toBe(0);
  });
});
