import { describe, expect, it } from 'vitest';
import { parseJaasConfig } from '../../../src/util/jaas.js';

describe('sasl.jaas.config parsing', () => {
  it('reads a Java client line with quoted values', () => {
    const e = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="a \\"b\\";c";');
    expect(e).toEqual({ loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule', flag: 'required', options: { username: 'alice', password: 'a "b";c' } });
  });
  it('reads broker user_ entries and bare values over several lines', () => {
    const e = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=admin\n  user_admin="x"\n  user_alice="y" ;');
    expect(e.options).toEqual({ username: 'admin', user_admin: 'x', user_alice: 'y' });
  });
  it('refuses a missing flag, missing semicolon and two modules, without echoing values', () => {
    expect(() => parseJaasConfig('X username="a";')).toThrow(/control flag/);
    expect(() => parseJaasConfig('X required password="secret"')).toThrow(/missing ';'/);
    expect(() => parseJaasConfig('X required password="secret"')).not.toThrow(/secret/);
    expect(() => parseJaasConfig('X required; Y required;')).toThrow(/only one/);
  });
});
