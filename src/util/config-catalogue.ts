/**
 * Configuration catalogues: one per surface (producer, consumer, admin on the client side; broker
 * and topic on the daemon side), each entry with Kafka's name, type, default, valid values, a
 * one-line doc and what kafka-ts does with it. Parsing and validation of a properties map come
 * from the catalogue, with the texts of Kafka's ConfigDef (`Invalid value X for configuration K:
 * <reason>`) and of its clients' unknown-key warning. The floor layer: imports nothing.
 *
 * Value parsing follows ConfigDef.parseType: numbers and booleans are trimmed first; a list is
 * split at commas with the blanks around them dropped (an empty string is an empty list); a class
 * is a Java class name, which kafka-ts maps to its own implementation or refuses (a custom Java
 * class cannot run here). Durations are longs in milliseconds, as Kafka's are.
 */

export type ConfigType = 'string' | 'int' | 'short' | 'long' | 'double' | 'boolean' | 'list' | 'class' | 'password' | 'enum';

/**
 * What kafka-ts does with a key: `supported` (does what Kafka does), `no-effect` (accepted and
 * validated, but has no effect here, with the reason), `unsupported` (refused with the message).
 */
export type Support = 'supported' | 'no-effect' | 'unsupported';

export type ConfigValue = string | number | boolean | readonly string[] | null;

export interface ConfigEntry {
  readonly name: string;
  readonly type: ConfigType;
  /** Kafka's default, parsed (null: no default, i.e. not set). */
  readonly default: ConfigValue;
  /** One line of documentation (in our words). */
  readonly doc: string;
  readonly support: Support;
  /** With `no-effect`: why it has none here; with `unsupported`: the refusal message. */
  readonly note?: string;
  /** Valid values of an enum (or of each list element); compared case-insensitively when `caseInsensitive`. */
  readonly values?: readonly string[];
  readonly caseInsensitive?: boolean;
  /** Inclusive numeric range. */
  readonly min?: number;
  readonly max?: number;
  /** The value is a duration in milliseconds (docs only; the type says int or long). */
  readonly unit?: 'ms' | 'bytes';
  /** A class entry: the Java class names kafka-ts implements (name → what it means here). */
  readonly classes?: Readonly<Record<string, string>>;
  /** The message refusing a class (or list of classes) kafka-ts does not implement. */
  readonly customClass?: string;
  /** An extra check on the parsed value: the reason it is invalid (Kafka's text), or null. */
  readonly validate?: (value: ConfigValue) => string | null;
  /** A value kafka-ts cannot honour although the key is supported: the refusal message, or null. */
  readonly refuse?: (value: ConfigValue) => string | null;
  /** A warning for a value that is accepted (a deprecation), or null. */
  readonly warn?: (value: ConfigValue) => string | null;
}

export interface Catalogue {
  /** producer, consumer, admin, broker, topic. */
  readonly surface: string;
  readonly entries: readonly ConfigEntry[];
  readonly byName: ReadonlyMap<string, ConfigEntry>;
}

/** A catalogue from its entries; a name given twice keeps the later entry (surface over common). */
export function defineCatalogue(surface: string, ...lists: readonly (readonly ConfigEntry[])[]): Catalogue {
  const byName = new Map<string, ConfigEntry>();
  for (const list of lists) for (const e of list) byName.set(e.name, e);
  // Sorted on first use: the first localeCompare sets up ICU's collator, several milliseconds
  // that every command would pay at start-up for a list only docs and describe output read.
  let entries: readonly ConfigEntry[] | undefined;
  return {
    surface,
    get entries() {
      return (entries ??= [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)));
    },
    byName,
  };
}

/** Kafka's ConfigException text. */
export const invalidValue = (name: string, value: string, reason: string): string => `Invalid value ${value} for configuration ${name}: ${reason}`;

/** Kafka's clients' (and broker's) warning for a key no catalogue knows. */
export const unknownConfig = (name: string): string => `The configuration '${name}' was supplied but isn't a known config.`;

/** An invalid value: the message is Kafka's ConfigException text. */
export class ConfigValueError extends Error {
  override name = 'ConfigValueError';
  constructor(
    readonly key: string,
    readonly value: string,
    reason: string,
  ) {
    super(invalidValue(key, value, reason));
  }
}

const INT_RANGE: Record<string, [bigint, bigint, string]> = {
  short: [-32768n, 32767n, 'SHORT'],
  int: [-2147483648n, 2147483647n, 'INT'],
  long: [-9223372036854775808n, 9223372036854775807n, 'LONG'],
};

function parseInteger(raw: string, type: 'short' | 'int' | 'long'): number | null {
  const t = raw.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const [lo, hi] = INT_RANGE[type]!;
  const b = BigInt(t);
  if (b < lo || b > hi) return null;
  return Number(b);
}

/** Java's Double.parseDouble, for what people write (decimal, exponent, NaN, Infinity, a d/f suffix); null when it is not a number. */
export function parseDouble(raw: string): number | null {
  const t = raw.trim();
  const m = /^([+-]?)(NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[dDfF]?$/.exec(t);
  if (!m) return null;
  if (m[2] === 'NaN') return NaN;
  return Number(m[1]! + m[2]!);
}

const fmt = (v: number) => String(v);

/** Parses one raw value as its entry's type and checks it; throws ConfigValueError with Kafka's text. */
export function parseConfigValue(e: ConfigEntry, raw: string): ConfigValue {
  let v: ConfigValue;
  switch (e.type) {
    case 'boolean': {
      const t = raw.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') throw new ConfigValueError(e.name, raw, 'Expected value to be either true or false');
      v = t === 'true';
      break;
    }
    case 'short':
    case 'int':
    case 'long': {
      const n = parseInteger(raw, e.type);
      if (n === null) throw new ConfigValueError(e.name, raw, `Not a number of type ${INT_RANGE[e.type]![2]}`);
      v = n;
      break;
    }
    case 'double': {
      const n = parseDouble(raw);
      if (n === null) throw new ConfigValueError(e.name, raw, 'Not a number of type DOUBLE');
      v = n;
      break;
    }
    case 'list': {
      const t = raw.trim();
      v = t === '' ? [] : t.split(/\s*,\s*/);
      if (e.values) {
        for (const item of v) {
          if (!inValues(e, item)) throw new ConfigValueError(e.name, item, `String must be one of: ${e.values.join(', ')}`);
        }
      }
      break;
    }
    case 'enum': {
      const t = raw.trim();
      if (!inValues(e, t)) {
        throw new ConfigValueError(e.name, t, e.caseInsensitive ? `String must be one of (case insensitive): ${e.values!.join(', ')}` : `String must be one of: ${e.values!.join(', ')}`);
      }
      v = e.caseInsensitive ? e.values!.find((x) => x.toLowerCase() === t.toLowerCase())! : t;
      break;
    }
    case 'class': {
      const t = raw.trim();
      // A Java class name: dotted identifiers (inner classes with '$').
      if (t !== '' && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(t)) throw new ConfigValueError(e.name, raw, `Class ${t} could not be found.`);
      v = t === '' ? null : t;
      break;
    }
    case 'password':
      v = raw;
      break;
    default:
      v = raw.trim();
  }
  if (typeof v === 'number' && !Number.isNaN(v)) {
    if (e.min !== undefined && v < e.min) throw new ConfigValueError(e.name, raw.trim(), `Value must be at least ${fmt(e.min)}`);
    if (e.max !== undefined && v > e.max) throw new ConfigValueError(e.name, raw.trim(), `Value must be no more than ${fmt(e.max)}`);
  }
  const reason = e.validate?.(v);
  if (reason) throw new ConfigValueError(e.name, raw.trim(), reason);
  return v;
}

function inValues(e: ConfigEntry, s: string): boolean {
  if (!e.values) return true;
  return e.caseInsensitive ? e.values.some((x) => x.toLowerCase() === s.toLowerCase()) : e.values.includes(s);
}

/** The names of the Java classes a class (or class list) value names that kafka-ts does not implement. */
function unknownClasses(e: ConfigEntry, v: ConfigValue): string[] {
  const names = v === null ? [] : typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [];
  return names.filter((n) => !(e.classes && n in e.classes));
}

export interface ConfigCheck {
  /** Parsed values of the keys given (known ones only). */
  readonly values: ReadonlyMap<string, ConfigValue>;
  /** Kafka's unknown-key warnings and deprecation warnings: for stderr (CLI) or the log (daemon). */
  readonly warnings: string[];
  /** Invalid values (Kafka's ConfigException text) and refusals of unsupported keys or values. */
  readonly errors: string[];
}

/**
 * Checks a properties map against a catalogue: unknown keys warn, invalid values and
 * unsupported keys are errors. `extraKnown` names keys the caller handles itself (a tool's own
 * properties) so they neither warn nor are checked here.
 */
export function checkProperties(cat: Catalogue, props: Readonly<Record<string, string>>, extraKnown: (key: string) => boolean = () => false): ConfigCheck {
  const values = new Map<string, ConfigValue>();
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const [key, raw] of Object.entries(props)) {
    const e = cat.byName.get(key);
    if (!e) {
      if (!extraKnown(key)) warnings.push(unknownConfig(key));
      continue;
    }
    let v: ConfigValue;
    try {
      v = parseConfigValue(e, raw);
    } catch (err) {
      errors.push((err as Error).message);
      continue;
    }
    if (e.support === 'unsupported') {
      errors.push(e.note ?? `${key} is not supported by kafka-ts`);
      continue;
    }
    if (e.classes) {
      const unknown = unknownClasses(e, v);
      if (unknown.length > 0) {
        errors.push(`${invalidValue(key, unknown.join(','), e.customClass ?? 'kafka-ts runs no Java classes')}`);
        continue;
      }
    }
    const refusal = e.refuse?.(v);
    if (refusal) {
      errors.push(refusal);
      continue;
    }
    const w = e.warn?.(v);
    if (w) warnings.push(w);
    values.set(key, v);
  }
  return { values, warnings, errors };
}

/** Typed access to checked values, falling back to the catalogue's defaults. */
export class ConfigValues {
  constructor(
    readonly catalogue: Catalogue,
    readonly values: ReadonlyMap<string, ConfigValue>,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  get(name: string): ConfigValue {
    if (this.values.has(name)) return this.values.get(name)!;
    const e = this.catalogue.byName.get(name);
    if (!e) throw new Error(`${name} is not in the ${this.catalogue.surface} catalogue`);
    return e.default;
  }

  num(name: string): number {
    return this.get(name) as number;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  str(name: string): string | null {
    return this.get(name) as string | null;
  }

  list(name: string): readonly string[] {
    return (this.get(name) as readonly string[] | null) ?? [];
  }
}

/** A plain, JSON-ready view of a catalogue for docs and listings (19b's generator renders it). */
export function describeCatalogue(cat: Catalogue): {
  name: string;
  type: ConfigType;
  default: ConfigValue;
  doc: string;
  support: Support;
  note: string | null;
  validValues: string | null;
}[] {
  return cat.entries.map((e) => ({
    name: e.name,
    type: e.type,
    default: e.default,
    doc: e.doc,
    support: e.support,
    note: e.note ?? null,
    validValues: validValuesText(e),
  }));
}

/** What values an entry accepts, in words ("[0,...]", "[none, gzip]", class names). */
export function validValuesText(e: ConfigEntry): string | null {
  if (e.values) return `[${e.values.join(', ')}]${e.caseInsensitive ? ' (case insensitive)' : ''}`;
  if (e.classes) return Object.keys(e.classes).join(', ');
  if (e.min !== undefined || e.max !== undefined) return `[${e.min ?? '...'},...${e.max !== undefined ? `,${e.max}` : ''}]`;
  return null;
}
