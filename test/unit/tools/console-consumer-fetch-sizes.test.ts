/** console-consumer's fetch sizes when the user chose none, and that a choice is kept (src/tools/console-consumer.ts). */
import { describe, expect, it } from 'vitest';
import { fetchSizeDefaults } from '../../../src/tools/console-consumer.js';

describe('fetchSizeDefaults', () => {
  it('asks for 2 MiB per partition in answers within the reused 8 MiB buffers when nothing is chosen', () => {
    expect(fetchSizeDefaults({})).toEqual({ maxPartitionBytes: 2 << 20, maxBytes: (8 << 20) - (64 << 10) });
  });

  it('leaves a chosen size alone, and Kafka\'s fetch.max.bytes beside a chosen max.partition.fetch.bytes (which may be larger than 8 MiB)', () => {
    expect(fetchSizeDefaults({ 'fetch.max.bytes': '100' })).toEqual({ maxPartitionBytes: 2 << 20 });
    expect(fetchSizeDefaults({ 'max.partition.fetch.bytes': String(12 << 20) })).toEqual({});
    expect(fetchSizeDefaults({ 'max.partition.fetch.bytes': '1', 'fetch.max.bytes': '1' })).toEqual({});
  });
});
