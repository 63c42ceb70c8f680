/**
 * Client timeouts from properties: Kafka's "wait forever" (Long.MAX_VALUE, e.g. max.block.ms or
 * default.api.timeout.ms=9223372036854775807) must not become a Node timer that fires at once.
 */
import { describe, expect, it } from 'vitest';
import { clientTimeoutMs } from '../../../src/cli/context.js';

describe('clientTimeoutMs', () => {
  it('keeps a timeout a Node timer can wait, and caps a longer one at 2^31 - 1 ms instead of letting it fire at once', () => {
    expect(clientTimeoutMs({ 'default.api.timeout.ms': '2000' }, 'default.api.timeout.ms', 60_000)).toBe(2000);
    expect(clientTimeoutMs({}, 'default.api.timeout.ms', 60_000)).toBe(60_000);
    expect(clientTimeoutMs({ 'default.api.timeout.ms': '9223372036854775807' }, 'default.api.timeout.ms', 60_000)).toBe(2_147_483_647);
    expect(() => clientTimeoutMs({ 'request.timeout.ms': '-1' }, 'request.timeout.ms', 30_000)).toThrow('Invalid value -1 for configuration request.timeout.ms');
  });
});
