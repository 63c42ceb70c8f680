/**
 * DescribeUserScramCredentials / AlterUserScramCredentials with Kafka's semantics
 * (ScramControlManager). Results come one per user, in request order; a user any of whose
 * operations fails gets that error and none of its operations applied.
 *
 * Authorization, as Kafka: Describe on the cluster for DescribeUserScramCredentials (else the
 * top-level CLUSTER_AUTHORIZATION_FAILED), Alter on the cluster for AlterUserScramCredentials
 * (else every user's result). `scramAuthorization.check` is the one place that decides.
 */
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { clientKey, MAX_ITERATIONS, MIN_ITERATIONS, mechanismOfType, SCRAM_TYPE, serverKey, storedKey, type ScramMechanism } from '../../util/scram.js';
import type { RequestContext } from '../handler.js';
import type { ScramCredential } from '../metadata/cluster-metadata.js';
import { AclOp, clusterAllowed } from './authorizer.js';

/** Returns an error code (CLUSTER_AUTHORIZATION_FAILED) when the principal may not, else null. */
export type ScramAuthorization = (ctx: RequestContext, operation: 'Describe' | 'Alter') => number | null;

export const scramAuthorization: { check: ScramAuthorization } = {
  check: (ctx, operation) => (clusterAllowed(ctx, operation === 'Describe' ? AclOp.DESCRIBE : AclOp.ALTER) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
};

export function describeScramCredentials(req: DescribeUserScramCredentialsRequest, ctx: RequestContext): DescribeUserScramCredentialsResponse {
  const denied = scramAuthorization.check(ctx, 'Describe');
  const md = ctx.cluster.metadata;
  if (denied !== null) return { throttleTimeMs: 0, errorCode: denied, errorMessage: null, results: [] };
  const info = (user: string) => md.scramCredentials(user).map((c) => ({ mechanism: SCRAM_TYPE[c.mechanism], iterations: c.iterations }));
  if (!req.users || req.users.length === 0) {
    const results = md.scramUsers().sort().map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: info(user) }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  }
  const counts = new Map<string, number>();
  for (const u of req.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
  const results: DescribeUserScramCredentialsResponse['results'] = [];
  for (const [user, n] of counts) {
    if (n > 1) results.push({ user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] });
    else if (md.scramCredentials(user).length === 0) results.push({ user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] });
    else results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: info(user) });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
}

interface Outcome {
  code: number;
  message: string | null;
}

export function alterScramCredentials(req: AlterUserScramCredentialsRequest, ctx: RequestContext): AlterUserScramCredentialsResponse {
  const users = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
  const reply = (f: (user: string) => Outcome) => ({ throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: f(user).code, errorMessage: f(user).message })) });
  const denied = scramAuthorization.check(ctx, 'Alter');
  if (denied !== null) return reply(() => ({ code: denied, message: null }));
  const { cluster } = ctx;
  if (cluster.controllerId !== cluster.id) return reply(() => ({ code: ErrorCode.NOT_CONTROLLER, message: 'This is not the correct controller for this cluster.' }));
  const md = cluster.metadata;
  // Kafka's ScramControlManager: at most one operation per user in a request, whatever the
  // mechanisms; a user named again fails DUPLICATE_RESOURCE (a user already failed keeps its
  // first error). Deletions are taken first, then upsertions, as Kafka reads them.
  const outcomes = new Map<string, Outcome>();
  const next = new Map<string, ScramCredential[]>();
  const duplicate: Outcome = { code: ErrorCode.DUPLICATE_RESOURCE, message: 'A user credential cannot be altered twice in the same request' };
  const checkName = (name: string, mech: ScramMechanism | undefined): Outcome | null =>
    name === ''
      ? { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Username must not be empty' }
      : !mech
        ? { code: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: 'Unknown SCRAM mechanism' }
        : null;
  for (const d of req.deletions) {
    if (outcomes.has(d.name)) continue;
    if (next.delete(d.name)) {
      outcomes.set(d.name, duplicate);
      continue;
    }
    const mech = mechanismOfType(d.mechanism);
    const creds = md.scramCredentials(d.name);
    const problem = checkName(d.name, mech) ?? (creds.some((c) => c.mechanism === mech) ? null : { code: ErrorCode.RESOURCE_NOT_FOUND, message: 'Attempt to delete a user credential that does not exist' });
    if (problem) outcomes.set(d.name, problem);
    else next.set(d.name, creds.filter((c) => c.mechanism !== mech));
  }
  for (const u of req.upsertions) {
    if (outcomes.has(u.name)) continue;
    if (next.delete(u.name)) {
      outcomes.set(u.name, duplicate);
      continue;
    }
    const mech = mechanismOfType(u.mechanism);
    const problem =
      checkName(u.name, mech) ??
      (u.iterations < MIN_ITERATIONS
        ? { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too few iterations' }
        : u.iterations > MAX_ITERATIONS
          ? { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too many iterations' }
          : u.salt.length === 0
            ? { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Salt must not be empty' }
            : u.saltedPassword.length === 0
              ? { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Salted password must not be empty' }
              : null);
    if (problem) {
      outcomes.set(u.name, problem);
      continue;
    }
    const m = mech!;
    const cred: ScramCredential = {
      mechanism: m,
      iterations: u.iterations,
      salt: u.salt.toString('base64'),
      storedKey: storedKey(m, clientKey(m, u.saltedPassword)).toString('base64'),
      serverKey: serverKey(m, u.saltedPassword).toString('base64'),
    };
    next.set(u.name, [...md.scramCredentials(u.name).filter((c) => c.mechanism !== m), cred]);
  }
  for (const [user, creds] of next) if (!outcomes.has(user)) md.setScramCredentials(user, creds);
  return reply((user) => outcomes.get(user) ?? { code: ErrorCode.NONE, message: null });
}
