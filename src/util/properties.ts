/** Java .properties parsing, shared by the CLI (config files) and the daemon (server.properties). */
import { UsageError } from './errors.js';

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    switch (c) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      default:
        return c;
    }
  });
}

/** Parses Java properties text: `k=v`, `k:v` or `k v`, `#`/`!` comments, continuations. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    let k = '';
    let j = 0;
    for (; j < line.length; j++) {
      const c = line[j]!;
      if (c === '\\') {
        k += line.slice(j, j + 2);
        j++;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      k += c;
    }
    let rest = line.slice(j).replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    out[unescape(k)] = unescape(rest);
  }
  return out;
}

/**
 * A boolean property of the console tools and the schema formats: true or false (any case),
 * anything else is a usage error. (Java's parsing takes anything but "true" as false, so
 * parse.key=yes silently parsed no key.)
 *
 * A key without a value (`--property parse.key`, or `parse.key=`): Kafka's console tools read
 * --property with CommandLineUtils.parseKeyValueArgs(args, acceptMissingValue = true), which keeps
 * the key with an empty value, and an empty value is not "true": false, whatever the default
 * (`--property print.value` prints no value). Given `warn` (the console tools' --property), it
 * is taken so, with a line saying so; otherwise it is a usage error.
 */
export function boolProperty(props: Record<string, string>, key: string, dflt: boolean, warn?: (line: string) => void): boolean {
  const v = props[key];
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (t === '' && warn) {
    warn(`WARN ${key} has no value: taken as false, as Kafka's console tools take it (${key}=true or ${key}=false)`);
    return false;
  }
  if (t === '') throw new UsageError(`Missing value for ${key}: a property is key=value (${key}=true or ${key}=false)`);
  if (t !== 'true' && t !== 'false') throw new UsageError(`Invalid value ${v} for ${key}: expected true or false`);
  return t === 'true';
}
