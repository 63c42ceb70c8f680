/**
 * Client quotas administered over the Kafka protocol (KIP-546): DescribeClientQuotas and
 * AlterClientQuotas. An entity maps entity types ('user', 'client-id', 'ip') to a name, null
 * being the default entity.
 */
import { AlterClientQuotas, DescribeClientQuotas } from '../protocol/apis/index.js';
import { KafkaProtocolError } from '../protocol/errors.js';
import type { KafkaClient } from './client.js';

export type QuotaEntity = Record<string, string | null>;

/** One filter component: a named entity (string), the default one (null), or any named one (undefined). */
export interface QuotaFilterComponent {
  entityType: string;
  match?: string | null;
}

export interface QuotaEntry {
  entity: QuotaEntity;
  values: Record<string, number>;
}

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

/** The quotas of the entities matching the filter (strict: entities with exactly these types). */
export async function describeClientQuotas(client: KafkaClient, components: readonly QuotaFilterComponent[], strict: boolean): Promise<QuotaEntry[]> {
  const { body } = await client.send('any', DescribeClientQuotas, {
    components: components.map((c) => ({
      entityType: c.entityType,
      matchType: c.match === undefined ? MATCH_SPECIFIED : c.match === null ? MATCH_DEFAULT : MATCH_EXACT,
      match: c.match ?? null,
    })),
    strict,
  });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  return (body.entries ?? []).map((e) => ({
    entity: Object.fromEntries(e.entity.map((x) => [x.entityType, x.entityName])),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

/** Sets (a number) and removes (null) quotas of one entity; the broker's error is thrown (KafkaProtocolError). */
export async function alterClientQuotas(client: KafkaClient, entity: QuotaEntity, ops: Record<string, number | null>, validateOnly = false): Promise<void> {
  const { body } = await client.send('controller', AlterClientQuotas, {
    entries: [
      {
        entity: Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName })),
        ops: Object.entries(ops).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
      },
    ],
    validateOnly,
  });
  const failed = body.entries.find((r) => r.errorCode !== 0);
  if (failed) throw new KafkaProtocolError(failed.errorCode, failed.errorMessage);
}
