/** kafka-ts.max.open.files: parsed, validated at start (ConfigError), 0 meaning half the fd limit. */
import { describe, expect, it } from 'vitest';
import { ConfigError, buildBrokerConfig } from '../../../src/broker/config.js';

describe('kafka-ts.max.open.files', () => {
  it('defaults to 0 (half the soft fd limit) and takes a positive count', () => {
    expect(buildBrokerConfig('/tmp/x', {}).config.maxOpenFiles).toBe(0);
    const { config, warnings } = buildBrokerConfig('/tmp/x', { 'kafka-ts.max.open.files': '300' });
    expect(config.maxOpenFiles).toBe(300);
    expect(warnings).toEqual([]);
  });

  it('rejects negative and non-numeric values with one-line ConfigErrors', () => {
    expect(() => buildBrokerConfig('/tmp/x', { 'kafka-ts.max.open.files': '-1' })).toThrow(ConfigError);
    expect(() => buildBrokerConfig('/tmp/x', { 'kafka-ts.max.open.files': '-1' })).toThrow('kafka-ts.max.open.files must be 0 (half the fd limit) or a positive number of files');
    expect(() => buildBrokerConfig('/tmp/x', { 'kafka-ts.max.open.files': 'lots' })).toThrow(/Invalid value lots for configuration kafka-ts.max.open.files/);
  });
});
