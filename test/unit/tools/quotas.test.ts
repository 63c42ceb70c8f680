/** configs' client-quota pieces: Java's double format, Kafka's entity text, the --alter checks. */
import { describe, expect, it } from 'vitest';
import { describeQuotaLines, entityText, javaDouble, quotaChanges, wantsQuotaChange } from '../../../src/tools/quotas.js';

describe('javaDouble', () => {
  it("prints as Java's Double.toString", () => {
    expect(javaDouble(1024)).toBe('1024.0');
    expect(javaDouble(50.5)).toBe('50.5');
    expect(javaDouble(0)).toBe('0.0');
    expect(javaDouble(9_999_999)).toBe('9999999.0');
    expect(javaDouble(10_000_000)).toBe('1.0E7');
    expect(javaDouble(15_000_000)).toBe('1.5E7');
    expect(javaDouble(0.0001)).toBe('1.0E-4');
    expect(javaDouble(0.001)).toBe('0.001');
  });
});

describe('entity text and lines', () => {
  it("names entities as Kafka's ConfigCommand does, user before client-id", () => {
    expect(entityText({ 'client-id': 'c', user: 'u' })).toBe("user-principal 'u', client-id 'c'");
    expect(entityText({ user: null })).toBe('the default user-principal');
    expect(entityText({ user: null, 'client-id': null })).toBe('the default user-principal, the default client-id');
    expect(entityText({ ip: '1.2.3.4' })).toBe("ip '1.2.3.4'");
    expect(describeQuotaLines([{ entity: { 'client-id': 'c1' }, values: { consumer_byte_rate: 2048, producer_byte_rate: 1024 } }])).toEqual([
      "Quota configs for client-id 'c1' are producer_byte_rate=1024.0, consumer_byte_rate=2048.0",
    ]);
  });
});

describe('--alter checks', () => {
  it('turns configs into ops on the entity, with null names for defaults', () => {
    expect(quotaChanges(['users', 'clients'], ['u', ''], { producer_byte_rate: '1e3' }, ['request_percentage'])).toEqual({
      entity: { user: 'u', 'client-id': null },
      ops: { producer_byte_rate: 1000, request_percentage: null },
    });
    expect(quotaChanges(['ips'], [''], { connection_creation_rate: ' 5 ' }, [])).toEqual({ entity: { ip: null }, ops: { connection_creation_rate: 5 } });
  });

  it("refuses what Kafka's ConfigCommand refuses", () => {
    expect(() => quotaChanges(['clients'], ['c'], { 'SCRAM-SHA-256': 'x' }, [])).toThrow("Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: SCRAM-SHA-256");
    expect(() => quotaChanges(['users'], ['u'], { foo: '1' }, [])).toThrow("Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: foo");
    expect(() => quotaChanges(['ips'], ['1.2.3.4'], { producer_byte_rate: '1' }, [])).toThrow("Only connection quota configs can be added for 'ips' using --bootstrap-server. Unexpected config names: producer_byte_rate");
    expect(() => quotaChanges(['clients'], ['c'], { producer_byte_rate: '1MB' }, [])).toThrow('Cannot parse quota configuration value for producer_byte_rate: 1MB');
    expect(() => wantsQuotaChange(['users'], { producer_byte_rate: '1', 'SCRAM-SHA-512': 'password=x' }, [])).toThrow("Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.");
    expect(wantsQuotaChange(['users'], { 'SCRAM-SHA-512': 'password=x' }, [])).toBe(false);
    expect(wantsQuotaChange(['users'], {}, ['consumer_byte_rate'])).toBe(true);
  });
});
