/**
 * A KRaft controller refuses a user altered twice in one AlterUserScramCredentials request
 * (ScramControlManager: DUPLICATE_RESOURCE, whatever the mechanisms), so the client sends each
 * user's alterations in successive requests.
 */
import { describe, expect, it } from 'vitest';
import { scramAlterationRounds } from '../../../src/client/scram-credentials.js';

describe('scramAlterationRounds', () => {
  it('names each user at most once per request, deletions before upsertions, other users together', () => {
    const up = (user: string, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512') => ({ user, mechanism, iterations: 4096, password: 'x' });
    const rounds = scramAlterationRounds([up('alice', 'SCRAM-SHA-256'), up('alice', 'SCRAM-SHA-512'), up('carol', 'SCRAM-SHA-256')], [{ user: 'alice', mechanism: 'SCRAM-SHA-512' }, { user: 'bob', mechanism: 'SCRAM-SHA-256' }]);
    expect(rounds).toEqual([
      { deletions: [{ user: 'alice', mechanism: 'SCRAM-SHA-512' }, { user: 'bob', mechanism: 'SCRAM-SHA-256' }], upsertions: [up('carol', 'SCRAM-SHA-256')] },
      { deletions: [], upsertions: [up('alice', 'SCRAM-SHA-256')] },
      { deletions: [], upsertions: [up('alice', 'SCRAM-SHA-512')] },
    ]);
    for (const r of rounds) {
      const users = [...r.deletions, ...r.upsertions].map((a) => a.user);
      expect(new Set(users).size).toBe(users.length);
    }
    expect(scramAlterationRounds([], [])).toEqual([]);
  });
});
