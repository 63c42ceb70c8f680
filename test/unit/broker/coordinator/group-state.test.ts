/** The transition table of the classic group states, and ClassicGroup refusing moves it forbids. */
import { describe, expect, it } from 'vitest';
import { VALID_PREVIOUS_STATES, canTransition, type GroupState } from '../../../../src/broker/coordinator/group-state.js';
import { ClassicGroup } from '../../../../src/broker/coordinator/group.js';

const ALL: GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

describe('group state transitions', () => {
  it('follows Kafka’s ClassicGroupState table', () => {
    const allowed = ALL.flatMap((from) => ALL.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(
      [
        'Empty->PreparingRebalance',
        'Empty->Dead',
        'PreparingRebalance->Empty',
        'PreparingRebalance->CompletingRebalance',
        'PreparingRebalance->Dead',
        'CompletingRebalance->PreparingRebalance',
        'CompletingRebalance->Stable',
        'CompletingRebalance->Dead',
        'Stable->PreparingRebalance',
        'Stable->Dead',
        'Dead->Dead',
      ].sort(),
    );
    expect(Object.keys(VALID_PREVIOUS_STATES).sort()).toEqual([...ALL].sort());
  });

  it('a group walks the normal cycle and refuses illegal moves without changing state', () => {
    const g = new ClassicGroup('g');
    expect(g.state).toBe('Empty');
    expect(() => g.transition('Stable')).toThrow(/Group g should be in CompletingRebalance to move to Stable, but is in Empty/);
    expect(() => g.transition('CompletingRebalance')).toThrow();
    expect(g.state).toBe('Empty');
    g.transition('PreparingRebalance');
    g.transition('CompletingRebalance');
    g.transition('Stable');
    expect(() => g.transition('Empty')).toThrow();
    g.transition('Dead');
    expect(() => g.transition('PreparingRebalance')).toThrow();
    expect(g.state).toBe('Dead');
  });

  it('entering Empty starts the retention clock; restore takes any state', () => {
    const g = new ClassicGroup('g');
    g.transition('PreparingRebalance');
    g.emptySince = 0;
    g.transition('Empty');
    expect(g.emptySince).toBeGreaterThan(0);
    const restored = new ClassicGroup('r');
    restored.restore('Stable');
    expect(restored.state).toBe('Stable');
  });
});
