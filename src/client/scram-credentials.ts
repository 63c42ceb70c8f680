/**
 * SCRAM credentials of users, administered over the Kafka protocol (KIP-554):
 * DescribeUserScramCredentials and AlterUserScramCredentials. Passwords never leave this module
 * in clear: an upsertion carries a random salt and the salted password (src/util/scram.ts), as
 * Kafka's admin client sends them.
 */
import { AlterUserScramCredentials, DescribeUserScramCredentials, type AlterUserScramCredentialsRequest } from '../protocol/apis/index.js';
import { KafkaProtocolError } from '../protocol/errors.js';
import { credentialFor, mechanismOfType, SCRAM_TYPE, type ScramMechanism } from '../util/scram.js';
import type { KafkaClient } from './client.js';

/** Kafka's RESOURCE_NOT_FOUND: a user without credentials (describe), a mechanism not set (delete). */
export const RESOURCE_NOT_FOUND = 91;

export interface UserScramCredentials {
  user: string;
  credentials: { mechanism: ScramMechanism | string; iterations: number }[];
}

export interface DescribeScramResult {
  users: UserScramCredentials[];
  /** Users the broker reported an error for (other than having no credentials). */
  errors: { user: string; error: KafkaProtocolError }[];
}

export interface ScramUpsertion {
  user: string;
  mechanism: ScramMechanism;
  iterations: number;
  password: string;
}

export interface ScramDeletion {
  user: string;
  mechanism: ScramMechanism;
}

/** The credentials of `users` (null or empty: every user that has some), sorted by user. */
export async function describeUserScramCredentials(client: KafkaClient, users: string[] | null): Promise<DescribeScramResult> {
  const { body } = await client.send('any', DescribeUserScramCredentials, { users: users && users.length > 0 ? users.map((name) => ({ name })) : null });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  const out: DescribeScramResult = { users: [], errors: [] };
  for (const r of body.results) {
    if (r.errorCode === RESOURCE_NOT_FOUND) continue;
    if (r.errorCode) {
      out.errors.push({ user: r.user, error: new KafkaProtocolError(r.errorCode, r.errorMessage) });
      continue;
    }
    out.users.push({
      user: r.user,
      credentials: r.credentialInfos.map((c) => ({ mechanism: mechanismOfType(c.mechanism) ?? `UNKNOWN(${c.mechanism})`, iterations: c.iterations })),
    });
  }
  out.users.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  return out;
}

/** The request body: deletions by mechanism, upsertions salted here (a fresh 32-byte salt each). */
export function alterScramRequest(upsertions: readonly ScramUpsertion[], deletions: readonly ScramDeletion[]): AlterUserScramCredentialsRequest {
  return {
    deletions: deletions.map((d) => ({ name: d.user, mechanism: SCRAM_TYPE[d.mechanism] })),
    upsertions: upsertions.map((u) => {
      const c = credentialFor(u.mechanism, u.password, u.iterations);
      return { name: u.user, mechanism: SCRAM_TYPE[u.mechanism], iterations: u.iterations, salt: c.salt, saltedPassword: c.salted };
    }),
  };
}

/**
 * Splits alterations into requests that name each user at most once: a KRaft controller
 * (ScramControlManager) refuses a user altered twice in one request with DUPLICATE_RESOURCE, even
 * for two mechanisms. Request k carries each user's k-th alteration, deletions before upsertions.
 */
export function scramAlterationRounds(upsertions: readonly ScramUpsertion[], deletions: readonly ScramDeletion[]): { upsertions: ScramUpsertion[]; deletions: ScramDeletion[] }[] {
  const rounds: { upsertions: ScramUpsertion[]; deletions: ScramDeletion[] }[] = [];
  const count = new Map<string, number>();
  const roundFor = (user: string) => {
    const k = count.get(user) ?? 0;
    count.set(user, k + 1);
    return (rounds[k] ??= { upsertions: [], deletions: [] });
  };
  for (const d of deletions) roundFor(d.user).deletions.push(d);
  for (const u of upsertions) roundFor(u.user).upsertions.push(u);
  return rounds;
}

/**
 * Sets and removes credentials, one request per round of scramAlterationRounds (so a user with
 * two mechanisms changes in two requests, not atomically); the first user error is thrown
 * (KafkaProtocolError) and the rounds after it are not sent.
 */
export async function alterUserScramCredentials(client: KafkaClient, upsertions: readonly ScramUpsertion[], deletions: readonly ScramDeletion[]): Promise<void> {
  for (const round of scramAlterationRounds(upsertions, deletions)) {
    const { body } = await client.send('controller', AlterUserScramCredentials, alterScramRequest(round.upsertions, round.deletions));
    const failed = body.results.find((r) => r.errorCode !== 0);
    if (failed) throw new KafkaProtocolError(failed.errorCode, failed.errorMessage);
  }
}
