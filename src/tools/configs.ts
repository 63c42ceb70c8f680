/**
 * What `kafka-ts configs` does (kafka-configs.sh): Kafka's --add-config grammar, users' SCRAM
 * credential changes and their describe layout. Passwords are never part of a message or a
 * result: errors name the mechanism, never the value.
 */
import { NotFoundError, UsageError } from '../util/errors.js';
import { isScramMechanism, MAX_ITERATIONS, MIN_ITERATIONS, type ScramMechanism } from '../util/scram.js';
import type { DescribeScramResult, ScramDeletion, ScramUpsertion } from '../client/scram-credentials.js';

/** Kafka's default iterations for a credential given without them. */
export const DEFAULT_ITERATIONS = 4096;

/** Splits at commas outside [...], as Kafka's ConfigCommand does. */
const OUTSIDE_BRACKETS = '(?=[^\\]]*(?:\\[|$))';

/**
 * Kafka's --add-config grammar: `k1=v1,k2=[a,b],k3=` — commas inside brackets do not split, the
 * brackets around a value are removed, whitespace around '=' is ignored, keys are
 * [$a-zA-Z0-9._-]*. Errors never quote a value (it may be a password).
 */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(new RegExp(`,${OUTSIDE_BRACKETS}`))) {
    const pair = item.split(new RegExp(`\\s*=\\s*${OUTSIDE_BRACKETS}`));
    if (pair.length !== 2) {
      throw new UsageError('Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]" to group values which contain commas.');
    }
    const key = pair[0]!.trim();
    if (!/^[$a-zA-Z0-9._-]*$/.test(key)) throw new UsageError(`Invalid character found for config key: ${key}`);
    let value = pair[1]!.trim();
    if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
    out[key] = value.trim();
  }
  return out;
}

/** --delete-config values: each may hold several names separated by commas. */
export const parseDeleteConfig = (values: readonly string[] | undefined): string[] =>
  (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');

const QUOTA_KEYS = new Set(['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate']);

/** `[iterations=N,]password=P` → the iterations and password (Kafka's pattern). */
export function parseCredential(mechanism: ScramMechanism, value: string): { iterations: number; password: string } {
  const m = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/s.exec(value);
  if (!m) throw new UsageError(`Invalid credential property ${mechanism}: expected ${mechanism}=[iterations=N,password=PASSWORD] (iterations optional, before password)`);
  const iterations = m[1] !== undefined && m[1] !== '' && m[1] !== '-1' ? Number(m[1]) : DEFAULT_ITERATIONS;
  if (iterations < MIN_ITERATIONS) throw new UsageError(`Iterations ${iterations} is less than the minimum ${MIN_ITERATIONS} required for ${mechanism}`);
  if (iterations > MAX_ITERATIONS) throw new UsageError(`Iterations ${iterations} is more than the maximum ${MAX_ITERATIONS} allowed for ${mechanism}`);
  // Kafka would take "password=x,iterations=8192" as the password "x,iterations=8192".
  if (/,iterations=-?[0-9]*$/.test(m[2]!)) throw new UsageError(`Invalid credential property ${mechanism}: iterations= must come before password=`);
  if (m[2] === '') throw new UsageError(`Invalid credential property ${mechanism}: the password is empty`);
  return { iterations, password: m[2]! };
}

/** The SCRAM changes an --alter of one user asks for, with Kafka's checks. */
export function userScramChanges(user: string, add: Record<string, string>, del: readonly string[]): { upsertions: ScramUpsertion[]; deletions: ScramDeletion[] } {
  const unknownAdd = Object.keys(add).filter((k) => !isScramMechanism(k) && !QUOTA_KEYS.has(k));
  if (unknownAdd.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${unknownAdd.join(',')}`);
  const unknownDel = del.filter((k) => !isScramMechanism(k) && !QUOTA_KEYS.has(k));
  if (unknownDel.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: ${unknownDel.join(',')}`);
  const quotas = [...Object.keys(add), ...del].filter((k) => QUOTA_KEYS.has(k));
  if (quotas.length > 0) throw new UsageError(`Client quotas (${quotas.join(',')}) are not supported by kafka-ts configs yet: only SCRAM-SHA-256 and SCRAM-SHA-512 credentials`);
  const both = del.filter((k) => k in add);
  if (both.length > 0) throw new UsageError(`${both.join(',')} is both added and deleted; give it once`);
  const upsertions = Object.entries(add).map(([mechanism, value]) => ({ user, mechanism: mechanism as ScramMechanism, ...parseCredential(mechanism as ScramMechanism, value) }));
  const deletions = [...new Set(del)].map((mechanism) => ({ user, mechanism: mechanism as ScramMechanism }));
  return { upsertions, deletions };
}

/** Kafka's describe lines: "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, …". */
export function describeUsersLines(r: DescribeScramResult): string[] {
  return [
    ...r.users.map((u) => `SCRAM credential configs for user-principal '${u.user}' are ${u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}`),
    ...r.errors.map((e) => `Error retrieving SCRAM credential configs for user-principal '${e.user}': ${e.error.errorName}: ${e.error.message}`),
  ];
}

export function describeUsersJson(r: DescribeScramResult) {
  return {
    users: r.users.map((u) => ({ user: u.user, scramCredentials: u.credentials })),
    ...(r.errors.length > 0 && { errors: r.errors.map((e) => ({ user: e.user, error: e.error.errorName, message: e.error.message })) }),
  };
}

/** A deletion of a mechanism the user does not have: the broker's RESOURCE_NOT_FOUND, said plainly. */
export function missingCredentialError(user: string, deletions: readonly ScramDeletion[]): NotFoundError {
  return new NotFoundError(`User ${user} has no ${deletions.map((d) => d.mechanism).join(' or ')} credential to delete`);
}
