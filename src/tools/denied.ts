/**
 * Readable ACL denials: a broker's TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED becomes one line
 * naming what the command tried and on which resource, e.g. "not authorized to access topic
 * orders (TOPIC_AUTHORIZATION_FAILED)" (kind denied, exit 8). The principal is the broker's to
 * know; the command names the operation and resource it asked for.
 */
import { AuthorizationError, isKafkaTsError } from '../util/errors.js';

/** `e` reworded as "not authorized to <what>" when it is a denial; otherwise `e` itself. */
export function explainDenial(e: unknown, what: string): unknown {
  if (!isKafkaTsError(e) || e.kind !== 'denied' || e.message.startsWith('not authorized')) return e;
  return new AuthorizationError(`not authorized to ${what}`, { hint: e.hint, cause: e });
}

/** Runs `f`; a denial it throws is reworded with `what`. */
export async function withDenial<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw explainDenial(e, what);
  }
}
