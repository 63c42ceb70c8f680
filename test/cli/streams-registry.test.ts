/**
 * kafka-ts streams with the schema registry's serdes: `streams filter --where 'value.score > 5'`
 * over Avro records written by `console-producer --value-format avro`, read back by
 * `console-consumer --value-format avro` (the local daemon's registry, found as the console tools
 * find it); a JSON Schema filter with `--config schema.registry.url=…`; records not in the wire
 * format under both deserialization exception handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { kafkaTs } from '../helpers/cli.js';
import { fast, harness, type Harness } from '../fixtures/streams/harness.js';

let h: Harness;
let registry: string;
beforeAll(async () => {
  h = await harness();
  const s = await kafkaTs(['server', 'status', '--output', 'json'], { home: h.home });
  registry = (JSON.parse(s.stdout) as { schemaRegistry: string }).schemaRegistry;
});
afterAll(async () => h?.close());

const kt = (args: string[], input?: string) => kafkaTs(args, { home: h.home, timeout: 45_000, ...(input !== undefined && { input }) });
const AVRO = JSON.stringify({ type: 'record', name: 'Score', fields: [{ name: 'name', type: 'string' }, { name: 'score', type: 'int' }] });
const JSON_SCHEMA = JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, score: { type: 'integer' } }, required: ['name', 'score'] });
const records = [
  { name: 'ann', score: 3 },
  { name: 'bob', score: 7 },
  { name: 'cid', score: 5 },
  { name: 'dee', score: 11 },
];
const lines = (rs: object[]) => rs.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('streams with registry serdes', () => {
  it("filter --value-serde avro --where 'value.score > 5': Avro in, the same Avro out", async () => {
    await h.topics(['scores', 1], ['scores_high', 1]);
    const p = await kt(['console-producer', '--topic', 'scores', '--value-format', 'avro', '--property', `value.schema=${AVRO}`], lines(records));
    expect(p.exitCode, p.stderr).toBe(0);
    // No --bootstrap-server and no schema.registry.url: the local daemon and its registry.
    const r = await kt(['streams', 'filter', '--from', 'scores', '--where', 'value.score > 5', '--to', 'scores_high', '--value-serde', 'avro', '--until-idle', '2s', ...fast(join(h.home, 'state', 'avro'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = await kt(['console-consumer', '--topic', 'scores_high', '--from-beginning', '-e', '--value-format', 'avro']);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stdout).toBe(lines(records.filter((x) => x.score > 5)));
    // The bytes passed through unchanged: the same schema id as the input's.
    const raw = async (topic: string) => (await h.read(topic, { format: '%s\\n' })).map((l) => l.slice(0, 5));
    expect(new Set(await raw('scores_high'))).toEqual(new Set(await raw('scores')));

    // With value.schema set, start-up registers it under <to>-value and records are written with it.
    await h.topics(['scores_v2', 1]);
    const v2 = JSON.stringify({ type: 'record', name: 'Score', fields: [{ name: 'name', type: 'string' }, { name: 'score', type: 'int' }, { name: 'note', type: 'string', default: '' }] });
    const w = await kt(['streams', 'filter', '--from', 'scores', '--where', 'value.score > 5', '--to', 'scores_v2', '--value-serde', 'avro', '--config', `value.schema=${v2}`, '--until-idle', '2s', ...fast(join(h.home, 'state', 'avro-v2'))]);
    expect(w.exitCode, w.stderr).toBe(0);
    const latest = (await (await fetch(`${registry}/subjects/scores_v2-value/versions/latest`)).json()) as { id: number; schema: string };
    expect(JSON.parse(latest.schema)).toEqual(JSON.parse(v2));
    expect(latest.id).toBeLessThan(128);
    expect(new Set(await raw('scores_v2'))).toEqual(new Set([String.fromCharCode(0, 0, 0, 0, latest.id)]));
    const c2 = await kt(['console-consumer', '--topic', 'scores_v2', '--from-beginning', '-e', '--value-format', 'avro']);
    expect(c2.stdout).toBe(lines(records.filter((x) => x.score > 5).map((x) => ({ ...x, note: '' }))));
  });

  it('filter --value-serde json-schema with --config schema.registry.url', async () => {
    await h.topics(['js_in', 1], ['js_out', 1]);
    const p = await kt(['console-producer', '--topic', 'js_in', '--value-format', 'json-schema', '--property', `value.schema=${JSON_SCHEMA}`], lines(records));
    expect(p.exitCode, p.stderr).toBe(0);
    const r = await h.run(['filter', '--from', 'js_in', '--where', 'value.name < "c"', '--to', 'js_out', '--value-serde', 'json-schema', '--config', `schema.registry.url=${registry}`, '--until-idle', '2s', ...fast(join(h.home, 'state', 'js'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = await kt(['console-consumer', '--topic', 'js_out', '--from-beginning', '-e', '--value-format', 'json-schema']);
    expect(c.stdout).toBe(lines(records.slice(0, 2)));
  });

  it('records not in the wire format: exit 1 under LogAndFail, skipped under LogAndContinue', async () => {
    await h.topics(['mixed_in', 1], ['mixed_out', 1], ['mixed_fail', 1]);
    expect((await kt(['console-producer', '--topic', 'mixed_in', '--value-format', 'avro', '--property', `value.schema=${AVRO}`], lines(records.slice(1, 2)))).exitCode).toBe(0);
    await h.produce('mixed_in', ['plain text']);
    expect((await kt(['console-producer', '--topic', 'mixed_in', '--value-format', 'avro', '--property', `value.schema=${AVRO}`], lines(records.slice(3)))).exitCode).toBe(0);
    const args = ['filter', '--from', 'mixed_in', '--where', 'value.score > 5', '--value-serde', 'avro', '--config', `schema.registry.url=${registry}`, '--until-idle', '2s'];
    const fail = await h.run([...args, '--to', 'mixed_fail', ...fast(join(h.home, 'state', 'mixed-fail')), '--application-id', 'mixed-fail']);
    expect(fail.exitCode).toBe(1);
    expect(fail.stderr).toMatch(/Unknown magic byte 112/);
    expect(fail.stderr.trim().split('\n')).toHaveLength(1);
    const skip = await h.run([...args, '--to', 'mixed_out', ...fast(join(h.home, 'state', 'mixed-skip')), '--application-id', 'mixed-skip', '--config', 'default.deserialization.exception.handler=LogAndContinueExceptionHandler']);
    expect(skip.exitCode, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/Skipping record due to deserialization error.*offset=1/);
    const c = await kt(['console-consumer', '--topic', 'mixed_out', '--from-beginning', '-e', '--value-format', 'avro']);
    expect(c.stdout).toBe(lines([records[1]!, records[3]!]));
  });
});
