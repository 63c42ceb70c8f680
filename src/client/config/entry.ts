/** Shorthands for writing catalogue entries (src/util/config-catalogue.ts) compactly. */
import type { ConfigEntry, ConfigType, ConfigValue } from '../../util/config-catalogue.js';

type Extra = Omit<ConfigEntry, 'name' | 'type' | 'default' | 'doc' | 'support' | 'note'>;

/** A key kafka-ts implements as Kafka does. */
export const supported = (name: string, type: ConfigType, def: ConfigValue, doc: string, extra: Extra = {}): ConfigEntry => ({ name, type, default: def, doc, support: 'supported', ...extra });

/** A key accepted and validated, without effect here (`why` says why). */
export const noEffect = (name: string, type: ConfigType, def: ConfigValue, doc: string, why: string, extra: Extra = {}): ConfigEntry => ({
  name,
  type,
  default: def,
  doc,
  support: 'no-effect',
  note: why,
  ...extra,
});

/** A key refused with `message`. */
export const unsupported = (name: string, type: ConfigType, def: ConfigValue, doc: string, message: string, extra: Extra = {}): ConfigEntry => ({
  name,
  type,
  default: def,
  doc,
  support: 'unsupported',
  note: message,
  ...extra,
});

export const INT_MAX = 2147483647;
export const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** A list of Java classes kafka-ts cannot load: refused when not empty. */
export const javaClasses = (what: string) => (v: ConfigValue): string | null =>
  Array.isArray(v) && v.length > 0 ? `${what} are Java classes; kafka-ts cannot load ${v.join(', ')} (leave it empty)` : null;
