/**
 * kafka-ts acls: its options, and Kafka's rules for combining them (AclCommandOptions.checkArgs),
 * checked before anything reaches a broker.
 */
import type { ActionChoice } from '../dispatch.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';
import type { AclSpec } from '../../tools/acls.js';

export interface AclsOptions extends ConnectionOptionValues, AclSpec {
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  force?: boolean;
  output: 'text' | 'json';
}

export type AclsAction = 'add' | 'remove' | 'list';
export const ACTIONS: ActionChoice<AclsAction>[] = [
  { key: 'add', verbs: ['add'] },
  { key: 'remove', verbs: ['remove'] },
  { key: 'list', verbs: ['list'] },
];
export const DISPATCH = {
  exactlyOne: 'Command must include exactly one action: --list, --add, --remove.',
  unknownVerb: (verb: string) => `unknown action '${verb}' (expected add, remove, list)`,
};

export const PATTERN_TYPES = ['literal', 'prefixed', 'match', 'any'] as const;

function conflict(a: string, b: string): never {
  throw new UsageError(`Option "[${a}]" can't be used with option "[${b}]"`);
}

const has = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false);

/** Kafka's checkArgs, in Kafka's order. */
export function validate(o: AclsOptions, action: AclsAction): void {
  if (!(PATTERN_TYPES as readonly string[]).includes(o.resourcePatternType.toLowerCase())) throw new UsageError(`Unknown resource-pattern-type: ${o.resourcePatternType}`);
  if (action === 'list') {
    const listConflicts: [keyof AclsOptions, string][] = [
      ['producer', 'producer'],
      ['consumer', 'consumer'],
      ['allowHost', 'allow-host'],
      ['allowPrincipal', 'allow-principal'],
      ['denyHost', 'deny-host'],
      ['denyPrincipal', 'deny-principal'],
    ];
    for (const [k, name] of listConflicts) if (has(o[k])) conflict('list', name);
  }
  for (const role of ['producer', 'consumer'] as const) {
    if (!o[role]) continue;
    if (has(o.operation)) conflict(role, 'operation');
    if (has(o.denyPrincipal)) conflict(role, 'deny-principal');
    if (has(o.denyHost)) conflict(role, 'deny-host');
  }
  if (has(o.principal) && action !== 'list') throw new UsageError('The --principal option is only available if --list is set');
  if (o.producer && !has(o.topic)) throw new UsageError('With --producer you must specify a --topic');
  if (o.idempotent && !o.producer) throw new UsageError('The --idempotent option is only available if --producer is set');
  if (o.consumer && (!has(o.topic) || !has(o.group) || (!o.producer && (o.cluster || has(o.transactionalId))))) {
    throw new UsageError('With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.');
  }
}

/**
 * Host options without their principals: Kafka's getHosts reads --allow-host only with
 * --allow-principal and --deny-host only with --deny-principal, and ignores them otherwise without a
 * word. kafka-ts does the same but says so on stderr: `--deny-host 1.1.1.1` with only
 * --allow-principal adds nothing for that host, and a --remove with no principal at all removes every
 * ACL of the resource, whatever host was named.
 */
export function ineffectiveHosts(o: AclsOptions): string[] {
  const out: string[] = [];
  if (has(o.allowHost) && !has(o.allowPrincipal)) out.push('WARN --allow-host has no effect without --allow-principal (it names the hosts of the allowed principals)');
  if (has(o.denyHost) && !has(o.denyPrincipal)) out.push('WARN --deny-host has no effect without --deny-principal (it names the hosts of the denied principals)');
  return out;
}
