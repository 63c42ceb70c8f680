/**
 * kafka-ts streams count --window: windowed counts against a reference computed here from the
 * input's timestamps (tumbling and hopping windows; out-of-order records inside the grace period
 * counted, those past it dropped), output read back by kcat.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKcat } from '../helpers/real-clients.js';
import { fast, harness, lastValues, windowedCountReference, type Harness, type TimedRecord } from '../fixtures/streams/harness.js';

let h: Harness;
beforeAll(async () => {
  requireKcat();
  h = await harness();
});
afterAll(async () => h?.close());

const T0 = 1_700_000_040_000; // a multiple of a minute
// [key, seconds after T0], in the order they are produced (one partition: processing order).
const SEQ: [string, number][] = [
  ['a', 0], ['a', 10], ['b', 20], ['a', 55], ['b', 61],
  ['a', 50], // 11 s behind stream time, inside the 10 s grace of [0, 60)'s end: counted
  ['b', 75],
  ['a', 30], // stream time 75: [0, 60) closed at 70: dropped
  ['a', 125], ['b', 119], ['a', 70], ['b', 200],
  ['a', 110], // stream time 200: dropped
  ['c', 201], ['c', 239], ['c', 181],
];
const records: TimedRecord[] = SEQ.map(([key, s], i) => ({ key, value: `v${i}`, timestamp: T0 + s * 1000, partition: 0 }));

describe('streams count --window', () => {
  it('tumbling 1m windows with 10s grace match the reference', async () => {
    await h.topics(['clicks', 1], ['clicks_per_minute', 1]);
    await h.produceTimed('clicks', records);
    const r = await h.run(['count', '--from', 'clicks', '--window', '1m', '--grace', '10s', '--to', 'clicks_per_minute', '--until-idle', '1s', ...fast(join(h.home, 'state', 'tumbling'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    const expected = windowedCountReference(records, 60_000, 60_000, 10_000);
    expect(Object.fromEntries(lastValues(await h.read('clicks_per_minute')))).toEqual(Object.fromEntries(expected));
    // The reference itself: a@T0 counts 0, 10, 55 and the late 50, not the dropped 30.
    expect(expected.get(`a@${T0}`)).toBe(4);
  });

  it('hopping 1m windows advancing by 30s with 10s grace match the reference', async () => {
    await h.topics(['clicks_hop', 1]);
    const r = await h.run(['count', '--from', 'clicks', '--window', '1m', '--hop', '30s', '--grace', '10s', '--to', 'clicks_hop', '--application-id', 'hop-app', '--until-idle', '1s', ...fast(join(h.home, 'state', 'hopping'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    const expected = windowedCountReference(records, 60_000, 30_000, 10_000);
    expect(Object.fromEntries(lastValues(await h.read('clicks_hop')))).toEqual(Object.fromEntries(expected));
  });

  it('a running count per key without --window', async () => {
    await h.topics(['clicks_total', 1]);
    const r = await h.run(['count', '--from', 'clicks', '--to', 'clicks_total', '--until-idle', '1s', ...fast(join(h.home, 'state', 'total'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Object.fromEntries(lastValues(await h.read('clicks_total')))).toEqual({ a: 8, b: 5, c: 3 });
  });
});
