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
import { clientKey, MAX_ITERATIONS, MIN_ITERATIONS, mechanismOfType, SCRAM_TYPE, serverKey, storedKey } from '../../util/scram.js';
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
  const outcomes = new Map<string, Outcome>();
  const failUser = (user: string, code: number, message: string) => {
    if (!outcomes.has(user)) outcomes.set(user, { code, message });
  };
  // Same user and mechanism twice (in either list): DUPLICATE_RESOURCE for that user.
  const seen = new Set<string>();
  for (const op of [...req.deletions, ...req.upsertions]) {
    const k = `${op.name}\u0000${op.mechanism}`;
    if (seen.has(k)) failUser(op.name, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
    seen.add(k);
  }
  const next = new Map<string, ScramCredential[]>();
  const current = (user: string) => next.get(user) ?? [...md.scramCredentials(user)];
  for (const d of req.deletions) {
    const mech = mechanismOfType(d.mechanism);
    if (d.name === '') failUser(d.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    else if (!mech) failUser(d.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
    else if (!current(d.name).some((c) => c.mechanism === mech)) failUser(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
    else next.set(d.name, current(d.name).filter((c) => c.mechanism !== mech));
  }
  for (const u of req.upsertions) {
    const mech = mechanismOfType(u.mechanism);
    if (u.name === '') failUser(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    else if (!mech) failUser(u.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
    else if (u.iterations < MIN_ITERATIONS) failUser(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too few iterations: ${u.iterations} (at least ${MIN_ITERATIONS})`);
    else if (u.iterations > MAX_ITERATIONS) failUser(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too many iterations: ${u.iterations} (at most ${MAX_ITERATIONS})`);
    else if (u.salt.length === 0) failUser(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt must not be empty');
    else if (u.saltedPassword.length === 0) failUser(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salted password must not be empty');
    else {
      const cred: ScramCredential = {
        mechanism: mech,
        iterations: u.iterations,
        salt: u.salt.toString('base64'),
        storedKey: storedKey(mech, clientKey(mech, u.saltedPassword)).toString('base64'),
        serverKey: serverKey(mech, u.saltedPassword).toString('base64'),
      };
      next.set(u.name, [...current(u.name).filter((c) => c.mechanism !== mech), cred]);
    }
  }
  for (const [user, creds] of next) if (!outcomes.has(user)) md.setScramCredentials(user, creds);
  return reply((user) => outcomes.get(user) ?? { code: ErrorCode.NONE, message: null });
}
