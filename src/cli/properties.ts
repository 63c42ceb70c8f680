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
