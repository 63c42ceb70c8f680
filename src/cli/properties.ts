/**
 * Java .properties files (--command-config, --producer.config, --consumer.config, …) and inline
 * `key=value` pairs (--property, --producer-property, …), parsed as Kafka's tools parse them.
 */
import { readFileSync } from 'node:fs';
import { parseProperties } from '../util/properties.js';
import { UsageError } from './errors.js';

export { parseProperties };

export function readPropertiesFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read properties file ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseProperties(text);
}

/** Inline `key=value` pairs: split at the first '=', no escape processing (Kafka's rule). */
export function parseInlinePairs(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const i = p.indexOf('=');
    if (i < 0) out[p] = '';
    else out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/**
 * A tool's client properties from its file flags (Kafka 4.2's --command-config beside the older
 * --producer.config, --consumer.config, --admin.config: one of them at most) and its inline
 * flags (--command-property beside --producer-property, --consumer-property; later ones win).
 * `file` and `inline` are kept apart for Kafka's checks that name where a value came from.
 */
export function readClientProperties(
  files: readonly [flag: string, path: string | undefined][],
  inline: readonly (readonly string[] | undefined)[],
): { file: Record<string, string>; inline: Record<string, string>; all: Record<string, string> } {
  const given = files.filter(([, p]) => p !== undefined);
  if (given.length > 1) throw new UsageError(`Options ${given.map(([f]) => f).join(' and ')} name the same properties file; give one of them`);
  const file = given.length === 1 ? readPropertiesFile(given[0]![1]!) : {};
  const pairs = Object.assign({}, ...inline.map((i) => parseInlinePairs(i))) as Record<string, string>;
  return { file, inline: pairs, all: { ...file, ...pairs } };
}
