/**
 * `sasl.jaas.config` values as Java clients and brokers write them:
 *   org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret";
 * One login module: its class, the control flag, then key=value options (values quoted with
 * double quotes, backslash escapes inside, or bare words), ended by ';'.
 */

export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Record<string, string>;
}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

/** A readable reason the value cannot be parsed; never echoes option values (they hold secrets). */
export class JaasSyntaxError extends Error {
  override name = 'JaasSyntaxError';
}

export function parseJaasConfig(text: string): JaasEntry {
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const word = (): string => {
    skip();
    const start = i;
    while (i < text.length && /[^\s=;"]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const loginModule = word();
  if (!loginModule) throw new JaasSyntaxError('sasl.jaas.config: expected a login module class name');
  const flag = word();
  if (!FLAGS.has(flag)) throw new JaasSyntaxError(`sasl.jaas.config: expected a control flag (required, requisite, sufficient or optional) after ${loginModule}`);
  const options: Record<string, string> = {};
  for (;;) {
    skip();
    if (i >= text.length) throw new JaasSyntaxError("sasl.jaas.config: missing ';' at the end");
    if (text[i] === ';') {
      i++;
      break;
    }
    const key = word();
    skip();
    if (!key || text[i] !== '=') throw new JaasSyntaxError(`sasl.jaas.config: expected key=value${key ? ` after '${key}'` : ''}`);
    i++;
    skip();
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasSyntaxError(`sasl.jaas.config: unterminated quoted value of '${key}'`);
        const c = text[i++]!;
        if (c === '"') break;
        if (c === '\\' && i < text.length) value += text[i++]!;
        else value += c;
      }
    } else value = word();
    options[key] = value;
  }
  skip();
  if (i < text.length) throw new JaasSyntaxError('sasl.jaas.config: only one login module is allowed');
  return { loginModule, flag, options };
}

/** The login modules Kafka ships, by the SASL mechanism family they serve. */
export const LOGIN_MODULES = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  SCRAM: 'org.apache.kafka.common.security.scram.ScramLoginModule',
  OAUTHBEARER: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule',
} as const;
