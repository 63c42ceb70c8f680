/**
 * The console tools' entry to schema formats (loaded only when --key-format or --value-format
 * names one): settings from the properties, the registry client, the producer's serializer and
 * the consumer's decoder.
 */
import { SchemaRegistryClient, type RegistryClientOptions } from '../../client/schema-registry.js';
import { boolProperty } from '../../util/properties.js';
import { registryProperties, schemaFormat, sideSpec } from './config.js';
import { RecordDecoder, type SchemaDecoding } from './decoder.js';
import { recordSerializer, type RecordSerializer } from './serializer.js';

export type { SchemaDecoding } from './decoder.js';
export type { RecordSerializer } from './serializer.js';

/** Finds the registry from the properties' own settings (the CLI knows the local daemon's). */
export type RegistryTarget = (fromProperties: Partial<RegistryClientOptions>) => Promise<RegistryClientOptions>;

export interface Formats {
  keyFormat?: string;
  valueFormat?: string;
}

/** Usage errors (unknown format, bad properties) before anything connects; null without a schema format. */
export function producerSchemaPlan(topic: string, f: Formats, props: Record<string, string>) {
  const key = schemaFormat(f.keyFormat, '--key-format');
  const value = schemaFormat(f.valueFormat, '--value-format');
  if (!key && !value) return null;
  return {
    sides: { ...(key && { key: sideSpec('key', key, topic, props) }), ...(value && { value: sideSpec('value', value, topic, props) }) },
    autoRegister: boolProperty(props, 'auto.register.schemas', true),
    registry: registryProperties(props),
  };
}

export async function producerSerializer(plan: NonNullable<ReturnType<typeof producerSchemaPlan>>, target: RegistryTarget): Promise<RecordSerializer> {
  const client = new SchemaRegistryClient(await target(plan.registry));
  return recordSerializer(client, plan.sides, plan.autoRegister);
}

export function consumerSchemaPlan(f: Formats, props: Record<string, string>) {
  const key = schemaFormat(f.keyFormat, '--key-format');
  const value = schemaFormat(f.valueFormat, '--value-format');
  if (!key && !value) return null;
  return { formats: { ...(key && { key }), ...(value && { value }) }, registry: registryProperties(props) };
}

export async function consumerDecoder(plan: NonNullable<ReturnType<typeof consumerSchemaPlan>>, target: RegistryTarget): Promise<SchemaDecoding> {
  return new RecordDecoder(new SchemaRegistryClient(await target(plan.registry)), plan.formats);
}
