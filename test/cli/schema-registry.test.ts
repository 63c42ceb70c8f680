/**
 * `kafka-ts schema-registry` and the console tools' schema formats end to end: verbs and their
 * JSON, `check`'s exit codes for CI, a hosted registry with basic auth, an unreachable one, and
 * bad input (unknown schema id, bytes that do not match, a bad JSON line, an unknown format
 * name) with --skip-message-on-error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { startFakeRegistry, type FakeRegistry } from '../helpers/fake-registry.js';

let home: string;
let cleanup: () => void;
let url: string;
let hosted: FakeRegistry;

const kt = (args: string[], input?: string) => kafkaTs(args, { home, input });
const sr = (...args: string[]) => kt(['schema-registry', ...args, '--schema-registry-url', url]);
const reg = () => ['--property', `schema.registry.url=${url}`];
const file = (name: string, text: string) => {
  writeFileSync(join(home, name), text);
  return join(home, name);
};

const V1 = { type: 'record', name: 'Pay', fields: [{ name: 'id', type: 'long' }] };
const V2 = { type: 'record', name: 'Pay', fields: [{ name: 'id', type: 'long' }, { name: 'cur', type: 'string', default: 'EUR' }] };
// A new field without a default: a BACKWARD break.
const BAD = { type: 'record', name: 'Pay', fields: [{ name: 'id', type: 'long' }, { name: 'tax', type: 'double' }] };

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-schemas-'));
  const { status } = await startDaemon(home, ['--schema-registry-port', '0']);
  // The daemon's own registry (server status lists it).
  url = status.schemaRegistry as string;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  hosted = await startFakeRegistry({ user: 'key', password: 's3cret' });
  for (const t of ['pay', 'mixed']) expect((await kt(['topics', 'create', t])).exitCode).toBe(0);
}, 60_000);

afterAll(async () => {
  await stopDaemon(home);
  await hosted.close();
  cleanup();
});

describe('schema-registry check: what it checks is what it says', () => {
  // v2 reads v1 (b has a default); C reads v2 but not v1 (b has none): only a check of v1 catches it.
  const A1 = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }] };
  const A2 = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }] };
  const C = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }] };

  it('all checks every version, whatever the level; the default checks what register does', async () => {
    expect((await sr('register', 'trans-value', '--schema-file', file('a1.avsc', JSON.stringify(A1)))).exitCode).toBe(0);
    expect((await sr('register', 'trans-value', '--schema-file', file('a2.avsc', JSON.stringify(A2)))).exitCode).toBe(0);
    const c = file('c.avsc', JSON.stringify(C));
    // BACKWARD (not transitive): the latest version only, for check and register alike; all still sees version 1 break.
    const all = await sr('check', 'trans-value', 'all', '--schema-file', c);
    expect(all.exitCode, all.stdout).toBe(12);
    expect(all.stdout).toMatch(/^The schema is INCOMPATIBLE with every version of subject trans-value \(1, 2\) under BACKWARD rules:\n/);
    expect(all.stdout).toContain('{oldSchemaVersion: 1}');
    expect((await sr('check', 'trans-value', '--schema-file', c)).exitCode).toBe(0);
    // BACKWARD_TRANSITIVE: the default check refuses it, as register then does.
    expect((await sr('compatibility', 'trans-value', '--set', 'BACKWARD_TRANSITIVE')).exitCode).toBe(0);
    const def = await sr('check', 'trans-value', '--schema-file', c);
    expect(def.exitCode, def.stdout).toBe(12);
    expect(def.stdout).toMatch(/^The schema is INCOMPATIBLE with subject trans-value: checked against every version \(level BACKWARD_TRANSITIVE\), as register checks:\n/);
    expect((await sr('register', 'trans-value', '--schema-file', c)).exitCode).toBe(12);
    // One version named: that one alone.
    expect((await sr('check', 'trans-value', 'latest', '--schema-file', c)).stdout).toBe('The schema is compatible with subject trans-value version latest (level BACKWARD_TRANSITIVE)\n');
  });

  it('a refusal that is no usage error (read-only mode, 42205) exits 1, not 2', async () => {
    expect((await fetch(`${url}/mode/ro-value`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"mode":"READONLY"}' })).status).toBe(200);
    const r = await sr('register', 'ro-value', '--schema-file', file('ro.avsc', JSON.stringify(A1)));
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain('42205');
    await fetch(`${url}/mode/ro-value`, { method: 'DELETE' });
  });
});

describe('schema-registry verbs', () => {
  it('registers, lists, shows versions and schemas, in text and JSON', async () => {
    const r1 = await sr('register', 'pay-value', '--schema-file', file('v1.avsc', JSON.stringify(V1)));
    expect(r1.exitCode, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/^Registered schema id \d+ under subject pay-value as version 1\n$/);
    const r2 = await sr('register', 'pay-value', '--schema-file', file('v2.avsc', JSON.stringify(V2)), '-o', 'json');
    const reg2 = JSON.parse(r2.stdout) as { subject: string; id: number; version: number };
    expect(reg2).toMatchObject({ subject: 'pay-value', version: 2 });
    expect((await sr('list')).stdout).toContain('pay-value\n');
    expect(JSON.parse((await sr('versions', 'pay-value', '-o', 'json')).stdout)).toEqual({ subject: 'pay-value', versions: [1, 2] });
    const got = await sr('get', 'pay-value', '1');
    expect(got.stdout.split('\n')[0]).toMatch(/^Subject pay-value version 1, schema id \d+ \(AVRO\)$/);
    const latest = JSON.parse((await sr('get', 'pay-value', '-o', 'json')).stdout) as { version: number; id: number; schemaType: string; schema: string };
    expect(latest).toMatchObject({ version: 2, id: reg2.id, schemaType: 'AVRO' });
    expect(JSON.parse(latest.schema)).toEqual(V2);
    expect(JSON.parse((await sr('get', '--id', String(reg2.id), '-o', 'json')).stdout)).toMatchObject({ id: reg2.id, schemaType: 'AVRO' });
  });

  it('check: exit 0 when compatible, 12 with the reasons when not, 4 for an unknown version', async () => {
    const ok = await sr('check', 'pay-value', '--schema-file', join(home, 'v2.avsc'));
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'The schema is compatible with subject pay-value: checked against the latest version (level BACKWARD), as register checks\n' });
    const bad = await sr('check', 'pay-value', '--schema-file', file('bad.avsc', JSON.stringify(BAD)));
    expect(bad.exitCode).toBe(12);
    expect(bad.stdout).toMatch(/^The schema is INCOMPATIBLE with subject pay-value: checked against the latest version \(level BACKWARD\), as register checks:\n {2}\S/);
    const latest = await sr('check', 'pay-value', 'latest', '--schema-file', join(home, 'bad.avsc'));
    expect(latest.exitCode).toBe(12);
    expect(latest.stdout).toMatch(/^The schema is INCOMPATIBLE with subject pay-value version latest \(level BACKWARD\):\n/);
    const json = await sr('check', 'pay-value', '--schema-file', join(home, 'bad.avsc'), '-o', 'json');
    expect(json.exitCode).toBe(12);
    expect(JSON.parse(json.stdout)).toMatchObject({ subject: 'pay-value', version: null, level: 'BACKWARD', compatible: false });
    // A subject without versions: nothing to break (as Confluent's since mid-2020); a version that does not exist: 4.
    const missing = await sr('check', 'nope-value', '--schema-file', join(home, 'v1.avsc'));
    expect(missing.exitCode, missing.stderr).toBe(0);
    expect((await sr('check', 'nope-value', 'latest', '--schema-file', join(home, 'v1.avsc'))).exitCode).toBe(0);
    expect((await sr('check', 'pay-value', '7', '--schema-file', join(home, 'v1.avsc'))).exitCode).toBe(4);
    // Registering it is refused as well (HTTP 409): exit 12, nothing registered.
    const refused = await sr('register', 'pay-value', '--schema-file', join(home, 'bad.avsc'));
    expect(refused.exitCode).toBe(12);
    expect(JSON.parse((await sr('versions', 'pay-value', '-o', 'json')).stdout).versions).toEqual([1, 2]);
  });

  it('an invalid schema is refused by the registry (422): exit 2, one line', async () => {
    const r = await sr('register', 'pay-value', '--schema-file', file('broken.avsc', '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('42201');
  });

  it('gets and sets compatibility levels; refuses an unknown level', async () => {
    expect((await sr('compatibility')).stdout).toMatch(/^Compatibility level \(global\): [A-Z_]+\n$/);
    expect((await sr('compatibility', 'pay-value', '--set', 'full')).stdout).toBe('Compatibility level (subject pay-value) set to FULL\n');
    expect(JSON.parse((await sr('compatibility', 'pay-value', '-o', 'json')).stdout)).toEqual({ subject: 'pay-value', compatibility: 'FULL' });
    const bad = await sr('compatibility', 'pay-value', '--set', 'SIDEWAYS');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("Invalid compatibility level 'SIDEWAYS'");
  });

  it('bad usage: no verb, unknown verb, missing subject or file, bad version: exit 2', async () => {
    for (const args of [[], ['frobnicate'], ['versions'], ['register', 'x-value'], ['get', 'x', 'zero']]) {
      const r = await sr(...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('unknown subject: exit 4 with the registry\'s message', async () => {
    const r = await sr('versions', 'ghost-value');
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("ghost-value");
  });

  it('deletes a subject', async () => {
    await sr('register', 'gone-value', '--schema-file', join(home, 'v1.avsc'));
    const r = await sr('delete', 'gone-value', '-o', 'json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ subject: 'gone-value', versions: [1], permanent: false });
    expect((await sr('list')).stdout).not.toContain('gone-value');
  });
});

describe('a hosted registry', () => {
  it('takes basic auth from --basic-auth or a properties file; wrong credentials exit 7', async () => {
    const ok = await kt(['schema-registry', 'register', 'h-value', '--schema-file', join(home, 'v1.avsc'), '--schema-registry-url', hosted.url, '--basic-auth', 'key:s3cret']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const props = file('sr.properties', `schema.registry.url=${hosted.url}\nbasic.auth.credentials.source=USER_INFO\nbasic.auth.user.info=key:s3cret\n`);
    expect((await kt(['schema-registry', 'list', '--command-config', props])).stdout).toBe('h-value\n');
    const denied = await kt(['schema-registry', 'list', '--schema-registry-url', hosted.url, '--basic-auth', 'key:wrong']);
    expect(denied.exitCode).toBe(7);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('check against an older registry (before mid-2020: 40401 for a subject without versions): compatible, as later ones answer', async () => {
    const auth = ['--schema-registry-url', hosted.url, '--basic-auth', 'key:s3cret'];
    const h1 = file('h1.avsc', JSON.stringify({ type: 'record', name: 'H', fields: [{ name: 'a', type: 'int' }] }));
    const none = await kt(['schema-registry', 'check', 'h-none-value', '--schema-file', h1, ...auth]);
    expect(none, none.stderr).toMatchObject({ exitCode: 0, stdout: 'The schema is compatible with subject h-none-value: it has no versions\n' });
    expect((await kt(['schema-registry', 'check', 'h-none-value', 'latest', '--schema-file', h1, ...auth])).exitCode).toBe(0);
    // A version that does not exist is still not found.
    expect((await kt(['schema-registry', 'check', 'h-none-value', '3', '--schema-file', h1, ...auth])).exitCode).toBe(4);
    // The subject's versions denied when asked: that is what is reported (exit 8), not a not-found.
    const denied = await kt(['schema-registry', 'check', 'locked-value', '--schema-file', h1, ...auth]);
    expect(denied.exitCode, denied.stderr).toBe(8);
    expect(denied.stderr).toContain('User is denied operation Read on Subject: locked-value');
  });

  it("a context's schema.registry.url and credentials are used by schema-registry and the console tools; the command's own win", async () => {
    const bootstrap = (await kt(['server', 'status', '--output', 'json'])).stdout;
    const listener = (JSON.parse(bootstrap) as { listeners: string[] }).listeners.find((l) => l.startsWith('PLAINTEXT://'))!.slice('PLAINTEXT://'.length);
    const add = await kt(['context', 'add', 'hosted-sr', '--bootstrap-server', listener, '--property', `schema.registry.url=${hosted.url}`, '--property', 'basic.auth.user.info=key:s3cret']);
    expect(add.exitCode, add.stderr).toBe(0);
    const registered = await kt(['schema-registry', 'register', 'ctx-h-value', '--schema-file', file('ctx-v1.avsc', JSON.stringify(V1)), '--context', 'hosted-sr']);
    expect(registered.exitCode, registered.stderr).toBe(0);
    const list = await kt(['schema-registry', 'list', '--context', 'hosted-sr']);
    expect(list, list.stderr).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('ctx-h-value\n') });
    // The command's own credentials win over the context's (wrong ones: denied, exit 7).
    expect((await kt(['schema-registry', 'list', '--context', 'hosted-sr', '--basic-auth', 'key:wrong'])).exitCode).toBe(7);
    // And its own URL: the context's credentials do not go with another registry.
    expect((await kt(['schema-registry', 'list', '--context', 'hosted-sr', '--schema-registry-url', url])).exitCode).toBe(0);
    expect((await kt(['topics', 'create', 'ctx-sr'])).exitCode).toBe(0);
    const avro = ['--value-format', 'avro', '--property', `value.schema=${JSON.stringify(V1)}`];
    const p = await kt(['console-producer', '--context', 'hosted-sr', '--topic', 'ctx-sr', ...avro], '{"id":7}\n');
    expect(p.exitCode, p.stderr).toBe(0);
    const c = await kt(['console-consumer', '--context', 'hosted-sr', '--topic', 'ctx-sr', '--from-beginning', '--max-messages', '1', '--value-format', 'avro']);
    expect(c, c.stderr).toMatchObject({ exitCode: 0, stdout: '{"id":7}\n' });
    expect((await kt(['schema-registry', 'versions', 'ctx-sr-value', '--context', 'hosted-sr'])).stdout).toBe('1\n');
  });

  it('an unreachable registry exits 3', async () => {
    const r = await kt(['schema-registry', 'list', '--schema-registry-url', 'http://127.0.0.1:9']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('Cannot reach the schema registry at http://127.0.0.1:9');
  });
});

describe('console tools: keys and values', () => {
  it('--key-format and --value-format together: an Avro string key and a JSON Schema value, back as JSON', async () => {
    expect((await kt(['topics', 'create', 'keyed'])).exitCode).toBe(0);
    const schema = file('k.json', JSON.stringify({ type: 'object', properties: { n: { type: 'number' } } }));
    const p = await kt(['console-producer', '--topic', 'keyed', '--key-format', 'avro', '--value-format', 'json-schema', ...reg(), '--property', 'parse.key=true', '--property', 'key.schema="string"', '--property', `value.schema.file=${schema}`], '"k1"\t{"n":1}\n"k2"\t{"n":2.5}\n');
    expect(p.exitCode, p.stderr).toBe(0);
    expect(JSON.parse((await sr('list', '-o', 'json')).stdout).subjects).toEqual(expect.arrayContaining(['keyed-key', 'keyed-value']));
    const c = await kt(['console-consumer', '--topic', 'keyed', '--from-beginning', '-e', '--key-format', 'avro', '--value-format', 'json-schema', ...reg(), '--property', 'print.key=true']);
    expect(c.stdout).toBe('"k1"\t{"n":1}\n"k2"\t{"n":2.5}\n');
    const j = await kt(['console-consumer', '--topic', 'keyed', '--from-beginning', '-e', '--key-format', 'avro', '--value-format', 'json-schema', ...reg(), '-o', 'json']);
    expect(JSON.parse(j.stdout.split('\n')[0]!)).toMatchObject({ topic: 'keyed', offset: 0, key: 'k1', value: { n: 1 } });
    // The envelope pipes back in: decoded keys and values are encoded again with their schemas.
    expect((await kt(['topics', 'create', 'keyed-copy'])).exitCode).toBe(0);
    const copy = await kt(['console-producer', '--topic', 'keyed-copy', '--input', 'json', '--key-format', 'avro', '--value-format', 'json-schema', ...reg(), '--property', 'key.schema="string"', '--property', `value.schema.file=${schema}`], j.stdout);
    expect(copy.exitCode, copy.stderr).toBe(0);
    const back = await kt(['console-consumer', '--topic', 'keyed-copy', '--from-beginning', '-e', '--key-format', 'avro', '--value-format', 'json-schema', ...reg(), '--property', 'print.key=true']);
    expect(back.stdout).toBe('"k1"\t{"n":1}\n"k2"\t{"n":2.5}\n');
  });
});

describe('console tools: bad input', () => {
  it('an unknown format name exits 2 before anything is sent', async () => {
    const r = await kt(['console-producer', '--topic', 'mixed', '--value-format', 'xml'], 'x\n');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("argument 'xml' is invalid");
  });

  it('a line that is not JSON or does not match the schema stops the producer (exit 1), naming the line', async () => {
    const avsc = join(home, 'v1.avsc');
    const r = await kt(['console-producer', '--topic', 'mixed', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], '{"id":1}\n{"id":\n{"id":3}\n');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/line 2: the value \(subject mixed-value, schema id \d+\): invalid JSON/);
    expect(r.stderr).toContain('sent 1 record to topic mixed');
    const wrong = await kt(['console-producer', '--topic', 'mixed', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], '{"id":"one"}\n');
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain('does not match the Avro schema');
  });

  it('an unknown schema id or bytes not in the wire format name topic, partition and offset; --skip-message-on-error skips them', async () => {
    // offset 0: a good record (above); 1: plain text; 2: an id no registry has; 3: good again
    expect((await kt(['console-producer', '--topic', 'mixed'], 'plain text\n')).exitCode).toBe(0);
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2]).toString('base64');
    const env = JSON.stringify({ value: unknownId, valueEncoding: 'base64' });
    expect((await kt(['console-producer', '--topic', 'mixed', '--input', 'json'], `${env}\n`)).exitCode).toBe(0);
    expect((await kt(['console-producer', '--topic', 'mixed', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${join(home, 'v1.avsc')}`], '{"id":4}\n')).exitCode).toBe(0);
    const consume = (...extra: string[]) => kt(['console-consumer', '--topic', 'mixed', '--from-beginning', '-e', '--value-format', 'avro', ...reg(), ...extra]);
    const stop = await consume();
    expect(stop.exitCode).toBe(1);
    expect(stop.stdout).toBe('{"id":1}\n');
    expect(stop.stderr).toContain('Cannot decode the value of the record at topic mixed partition 0 offset 1: unknown magic byte 112');
    const skip = await consume('--skip-message-on-error');
    expect(skip.exitCode, skip.stderr).toBe(0);
    expect(skip.stdout).toBe('{"id":1}\n{"id":4}\n');
    expect(skip.stderr).toContain('offset 1: unknown magic byte');
    expect(skip.stderr).toContain(`offset 2: schema id ${0x7ffffff0} is unknown to the registry`);
    const json = await consume('--skip-message-on-error', '-o', 'json');
    expect(json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { value: unknown }).value)).toEqual([{ id: 1 }, { id: 4 }]);
  });

  it('bytes that do not match their schema: named with the schema id and the offset; skipped with --skip-message-on-error', async () => {
    expect((await kt(['topics', 'create', 'mismatch'])).exitCode).toBe(0);
    const avsc = join(home, 'v1.avsc');
    expect((await kt(['console-producer', '--topic', 'mismatch', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], '{"id":5}\n')).exitCode).toBe(0);
    const { id } = JSON.parse((await sr('get', 'mismatch-value', '-o', 'json')).stdout) as { id: number };
    // The right header, then a long cut short (a continuation byte and nothing after it).
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    const cut = Buffer.concat([header, Buffer.from([0x80])]).toString('base64');
    expect((await kt(['console-producer', '--topic', 'mismatch', '--input', 'json'], `${JSON.stringify({ value: cut, valueEncoding: 'base64' })}\n`)).exitCode).toBe(0);
    const consume = (...extra: string[]) => kt(['console-consumer', '--topic', 'mismatch', '--from-beginning', '-e', '--value-format', 'avro', ...reg(), ...extra]);
    const stop = await consume();
    expect(stop.exitCode).toBe(1);
    expect(stop.stdout).toBe('{"id":5}\n');
    expect(stop.stderr).toContain(`Cannot decode the value of the record at topic mismatch partition 0 offset 1: the bytes do not match Avro schema ${id}: truncated data`);
    const skip = await consume('--skip-message-on-error');
    expect(skip).toMatchObject({ exitCode: 0, stdout: '{"id":5}\n' });
  });
});

describe('console tools: no value silently changed', () => {
  const ORDER_PROTO = 'syntax="proto3"; message Item{string sku=1; int32 n=2;} message Order{int64 id=1; repeated Item items=2; map<string,string> tags=3; oneof pay{string card=4; bool cash=5;}}';

  it("Protobuf: an int32 out of range, both members of a oneof, an int64 past 2^53 as a number stop the producer (exit 1), naming the line and the field", async () => {
    expect((await kt(['topics', 'create', 'porders'])).exitCode).toBe(0);
    const proto = file('o.proto', ORDER_PROTO);
    const produce = (input: string) => kt(['console-producer', '--topic', 'porders', '--value-format', 'protobuf', ...reg(), '--property', `value.schema.file=${proto}`, '--property', 'value.schema.message=Order'], input);
    const cases: [string, RegExp][] = [
      ['{"items":[{"n":9999999999}]}', /line 2: the value \(subject porders-value, schema id \d+\): does not match Protobuf message Item: items\[0\]\.n: 9999999999 is out of range for int32/],
      ['{"card":"x","cash":true}', /line 2: .*cash: card and cash are both members of oneof pay/],
      ['{"id":9007199254740993}', /line 2: .*id: 9007199254740993 is past 2\^53, where a JSON number loses digits: give the int64 as a string \("9007199254740993"\)/],
    ];
    for (const [line, want] of cases) {
      const r = await produce(`{"id":"9007199254740993"}\n${line}\n`);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const c = await kt(['console-consumer', '--topic', 'porders', '--from-beginning', '-e', '--value-format', 'protobuf', ...reg()]);
    expect(c.stdout).toBe('{"id":"9007199254740993"}\n'.repeat(3));
  });

  it('Avro: longs keep every digit both ways (text, -o json, --input json back); past 2^63 and unknown fields are refused', async () => {
    for (const t of ['longs', 'longs-copy']) expect((await kt(['topics', 'create', t])).exitCode).toBe(0);
    const avsc = file('pay.avsc', JSON.stringify(V1));
    const lines = '{"id":9007199254740993}\n{"id":9223372036854775807}\n{"id":-9223372036854775808}\n';
    const p = await kt(['console-producer', '--topic', 'longs', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], lines);
    expect(p.exitCode, p.stderr).toBe(0);
    const consume = (topic: string, ...extra: string[]) => kt(['console-consumer', '--topic', topic, '--from-beginning', '-e', '--value-format', 'avro', ...reg(), ...extra]);
    expect((await consume('longs')).stdout).toBe(lines);
    const j = await consume('longs', '-o', 'json');
    expect(j.stdout).toContain('"value":{"id":9223372036854775807}');
    const copy = await kt(['console-producer', '--topic', 'longs-copy', '--input', 'json', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], j.stdout);
    expect(copy.exitCode, copy.stderr).toBe(0);
    expect((await consume('longs-copy')).stdout).toBe(lines);
    const big = await kt(['console-producer', '--topic', 'longs', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], '{"id":9223372036854775808}\n');
    expect(big.exitCode).toBe(1);
    expect(big.stderr).toMatch(/line 1: .*id: expected a long \(a 64-bit integer\), got 9223372036854775808/);
    const bogus = await kt(['console-producer', '--topic', 'longs', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${avsc}`], '{"id":3,"bogus":1}\n');
    expect(bogus.exitCode).toBe(1);
    expect(bogus.stderr).toMatch(/line 1: .*bogus: unknown field \(Pay has id\)/);
  });
});
