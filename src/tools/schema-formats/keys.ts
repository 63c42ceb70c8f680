/**
 * The --property keys the schema formats read (Confluent's console tools' names), listed apart
 * from the code that reads them so the console tools can tell an unknown key without loading it.
 */
/** Each side's keys (key.* and value.*): sideSpec reads only these (its accessor is typed by them). */
export const SIDE_KEYS = ['schema', 'schema.file', 'schema.id', 'schema.message', 'schema.refs', 'refs', 'subject.name.strategy'] as const;
export type SideKey = (typeof SIDE_KEYS)[number];

export const SCHEMA_PROPERTY_KEYS: ReadonlySet<string> = new Set([
  'schema.registry.url',
  'auto.register.schemas',
  'basic.auth.credentials.source',
  'basic.auth.user.info',
  'schema.registry.basic.auth.credentials.source',
  'schema.registry.basic.auth.user.info',
  'bearer.auth.token',
  ...SIDE_KEYS.flatMap((k) => [`key.${k}`, `value.${k}`]),
]);
