import { describe, expect, it } from 'vitest';
import { pickAction, type ActionChoice } from '../../../src/cli/dispatch.js';
import { UsageError } from '../../../src/util/errors.js';

type A = 'create' | 'list' | 'resetOffsets';
const ACTIONS: ActionChoice<A>[] = [
  { key: 'create', verbs: ['create'] },
  { key: 'list', verbs: ['list', 'ls'] },
  { key: 'resetOffsets', verbs: ['reset', 'reset-offsets'] },
];
const MESSAGES = { exactlyOne: 'Command must include exactly one action', unknownVerb: (v: string) => `unknown action '${v}'` };

describe('pickAction', () => {
  it('takes the action from its flag, leaving the arguments alone', () => {
    expect(pickAction({ resetOffsets: true }, ['g1'], ACTIONS, MESSAGES)).toEqual({ action: 'resetOffsets', rest: ['g1'], byVerb: false });
  });

  it('takes the action from a verb (any of its spellings), the rest after it', () => {
    expect(pickAction({}, ['reset', 'g1', 'g2'], ACTIONS, MESSAGES)).toEqual({ action: 'resetOffsets', rest: ['g1', 'g2'], byVerb: true });
    expect(pickAction({}, ['ls'], ACTIONS, MESSAGES).action).toBe('list');
  });

  it('prefers a flag to a first argument that is not a verb', () => {
    expect(pickAction({ list: true }, ['nonsense'], ACTIONS, MESSAGES).action).toBe('list');
  });

  it("refuses two flags, and no action, with Kafka's exactly-one message", () => {
    expect(() => pickAction({ create: true, list: true }, [], ACTIONS, MESSAGES)).toThrow(new UsageError(MESSAGES.exactlyOne));
    expect(() => pickAction({}, [], ACTIONS, MESSAGES)).toThrow(MESSAGES.exactlyOne);
    expect(() => pickAction({ create: false }, [], ACTIONS, MESSAGES)).toThrow(MESSAGES.exactlyOne);
  });

  it('refuses an unknown verb as a usage error', () => {
    let caught: unknown;
    try {
      pickAction({}, ['frobnicate'], ACTIONS, MESSAGES);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toBe("unknown action 'frobnicate'");
  });
});
