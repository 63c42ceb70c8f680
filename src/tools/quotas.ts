/**
 * Client quotas in `kafka-ts configs` (kafka-configs.sh with --entity-type users, clients, ips):
 * Kafka's ConfigCommand checks of the keys, the AlterClientQuotas call, and its describe layout,
 * "Quota configs for user-principal 'alice', client-id 'c1' are producer_byte_rate=1024.0".
 * Entity names: undefined means every named entity (describe), '' the default entity.
 */
import { FailedError, UsageError } from '../util/errors.js';
import { isScramMechanism } from '../util/scram.js';
import { alterClientQuotas, describeClientQuotas, type QuotaEntity, type QuotaEntry } from '../client/quotas.js';
import { describeUserScramCredentials } from '../client/scram-credentials.js';
import type { KafkaClient } from '../client/client.js';
import { describeUsersJson, describeUsersLines } from './configs.js';

/** Keys for users and clients, in the order the describe line lists them. */
export const CLIENT_QUOTA_KEYS = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'];
export const IP_QUOTA_KEYS = ['connection_creation_rate'];
export const isQuotaKey = (k: string) => CLIENT_QUOTA_KEYS.includes(k);

/** The protocol's entity type of a --entity-type. */
const ENTITY_TYPE: Record<string, string> = { users: 'user', clients: 'client-id', ips: 'ip' };
const PRINTED: Record<string, string> = { user: 'user-principal', 'client-id': 'client-id', ip: 'ip' };

/** Whether an --alter of users (without clients) asks for quota changes rather than SCRAM ones. */
export function wantsQuotaChange(types: readonly string[], add: Record<string, string>, del: readonly string[]): boolean {
  if (types.includes('clients') || types.includes('ips')) return true;
  const keys = [...Object.keys(add), ...del];
  const quota = keys.some(isQuotaKey);
  if (quota && keys.some(isScramMechanism)) throw new UsageError("Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.");
  return quota;
}

export interface QuotaChange {
  entity: QuotaEntity;
  ops: Record<string, number | null>;
}

/** Kafka's client-side checks of an --alter of quotas (key names, numeric values). */
export function quotaChanges(types: readonly string[], names: readonly string[], add: Record<string, string>, del: readonly string[]): QuotaChange {
  const keys = [...Object.keys(add), ...del];
  if (types.includes('ips')) {
    const unknown = keys.filter((k) => !IP_QUOTA_KEYS.includes(k));
    if (unknown.length > 0) throw new UsageError(`Only connection quota configs can be added for 'ips' using --bootstrap-server. Unexpected config names: ${unknown.join(',')}`);
  } else if (types.includes('clients')) {
    const badAdd = Object.keys(add).filter((k) => !isQuotaKey(k));
    if (badAdd.length > 0) throw new UsageError(`Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: ${badAdd.join(',')}`);
    const badDel = del.filter((k) => !isQuotaKey(k));
    if (badDel.length > 0) throw new UsageError(`Only quota configs can be deleted for 'clients' using --bootstrap-server. Unexpected config names: ${badDel.join(',')}`);
  } else {
    const badAdd = Object.keys(add).filter((k) => !isQuotaKey(k) && !isScramMechanism(k));
    if (badAdd.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${badAdd.join(',')}`);
    const badDel = del.filter((k) => !isQuotaKey(k) && !isScramMechanism(k));
    if (badDel.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: ${badDel.join(',')}`);
  }
  const both = del.filter((k) => k in add);
  if (both.length > 0) throw new UsageError(`${both.join(',')} is both added and deleted; give it once`);
  const ops: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(add)) {
    // Java's Double.parseDouble: a decimal or hexadecimal float, optional sign, surrounding blanks.
    const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?\s*$/.test(v) ? Number.parseFloat(v) : NaN;
    if (Number.isNaN(n)) throw new UsageError(`Cannot parse quota configuration value for ${k}: ${v}`);
    ops[k] = n;
  }
  for (const k of del) ops[k] = null;
  return { entity: entityOf(types, names), ops };
}

function entityOf(types: readonly string[], names: readonly string[]): QuotaEntity {
  const entity: QuotaEntity = {};
  types.forEach((t, i) => (entity[ENTITY_TYPE[t]!] = names[i] === '' || names[i] === undefined ? null : names[i]!));
  return entity;
}

/** The quota entries --describe shows: exactly these entity types (Kafka's ClientQuotaFilter.containsOnly). */
export async function describeQuotas(client: KafkaClient, types: readonly string[], names: readonly string[]): Promise<QuotaEntry[]> {
  const components = types.map((t, i) => ({ entityType: ENTITY_TYPE[t]!, ...(names[i] !== undefined && { match: names[i] === '' ? null : names[i] }) }));
  const entries = await describeClientQuotas(client, components, true);
  return entries.sort((a, b) => (entityText(a.entity) < entityText(b.entity) ? -1 : entityText(a.entity) > entityText(b.entity) ? 1 : 0));
}

/** --alter: deleting a quota that is not set is Kafka's "Invalid config(s): k" (exit 1); returns Kafka's completion line. */
export async function alterQuotas(client: KafkaClient, types: readonly string[], names: readonly string[], change: QuotaChange): Promise<string> {
  const deleted = Object.keys(change.ops).filter((k) => change.ops[k] === null);
  if (deleted.length > 0) {
    const current = (await describeQuotas(client, types, names.map((n) => n ?? '')))[0]?.values ?? {};
    const invalid = deleted.filter((k) => !(k in current));
    if (invalid.length > 0) throw new FailedError(`Invalid config(s): ${invalid.join(',')}`);
  }
  await alterClientQuotas(client, change.entity, change.ops);
  return names[0] === '' ? `Completed updating default config for ${types[0]} in the cluster.` : `Completed updating config for ${types[0]!.slice(0, -1)} ${names[0]}.`;
}

/** Java's Double.toString: 1024.0, 0.5, 1.0E7, 1.5E-4. */
export function javaDouble(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(d);
  if (a === 0 || (a >= 1e-3 && a < 1e7)) return Number.isInteger(d) ? `${d}.0` : String(d);
  const [m, e] = d.toExponential().split('e');
  return `${m!.includes('.') ? m : `${m}.0`}E${Number(e)}`;
}

/** "user-principal 'u', client-id 'c'", "the default client-id", "ip '1.2.3.4'" (Kafka's order: user, client-id, ip). */
export function entityText(entity: QuotaEntity): string {
  return ['user', 'client-id', 'ip']
    .filter((t) => t in entity)
    .map((t) => (entity[t] === null ? `the default ${PRINTED[t]}` : `${PRINTED[t]} '${entity[t]}'`))
    .join(', ');
}

const keyOrder = (k: string) => {
  const i = [...CLIENT_QUOTA_KEYS, ...IP_QUOTA_KEYS].indexOf(k);
  return i < 0 ? 99 : i;
};
const sortedValues = (values: Record<string, number>) => Object.entries(values).sort(([a], [b]) => keyOrder(a) - keyOrder(b) || (a < b ? -1 : 1));

export function describeQuotaLines(entries: readonly QuotaEntry[]): string[] {
  return entries.map((e) => `Quota configs for ${entityText(e.entity)} are ${sortedValues(e.values).map(([k, v]) => `${k}=${javaDouble(v)}`).join(', ')}`);
}

export function describeQuotaJson(entries: readonly QuotaEntry[]) {
  return entries.map((e) => ({
    entity: Object.fromEntries(['user', 'client-id', 'ip'].filter((t) => t in e.entity).map((t) => [t, e.entity[t]])),
    quotas: Object.fromEntries(sortedValues(e.values)),
  }));
}

/** What the command prints: JSON data, Kafka's text lines, and how it ends. */
export interface QuotaView {
  data: unknown;
  text(): string[];
  exit?: 'Ok' | 'Failure';
}

/** --alter of quotas: Kafka's completion line; JSON {"entity", "set", "deleted"}. */
export async function alterQuotasView(client: KafkaClient, types: readonly string[], names: readonly string[], change: QuotaChange): Promise<QuotaView> {
  const line = await alterQuotas(client, types, names, change);
  const ops = Object.entries(change.ops);
  const data = { entity: describeQuotaJson([{ entity: change.entity, values: {} }])[0]!.entity, set: ops.filter(([, v]) => v !== null).map(([k]) => k), deleted: ops.filter(([, v]) => v === null).map(([k]) => k) };
  return { data, text: () => [line] };
}

/**
 * --describe of users, clients (or both) and ips: one quota line per entity, then, for users alone
 * and not the default user, their SCRAM credential lines, as Kafka's ConfigCommand does.
 */
export async function describeQuotasView(client: KafkaClient, types: readonly string[], names: readonly string[]): Promise<QuotaView> {
  const quotas = await describeQuotas(client, types, names);
  const user = types.length === 1 && types[0] === 'users' && names[0] !== '' ? await describeUserScramCredentials(client, names[0] === undefined ? null : [names[0]]) : null;
  return {
    data: { quotas: describeQuotaJson(quotas), ...(user && describeUsersJson(user)) },
    text: () => [...describeQuotaLines(quotas), ...(user ? describeUsersLines(user) : [])],
    exit: user && user.errors.length > 0 ? 'Failure' : 'Ok',
  };
}
