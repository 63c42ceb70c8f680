// Schema formats through the console tools, side by side in one run on one daemon: 1,000,000 JSON
// lines (~90 B) produced as plain strings and as Avro (Confluent's wire format, schema in the daemon's
// registry), then consumed to /dev/null as plain strings and decoded from Avro back to JSON.
// JSON Schema and Protobuf are measured too, for reference (the Protobuf input's `tag` is a
// message with a field named `string`, so one input file suits every format). Target: Avro >= 0.5x plain.
// BENCH_ROUNDS rounds (3 by default), each format in turn within a round, so each ratio compares
// runs made seconds apart; the table gives the median ratio and the spread over rounds.
// BENCH_FORMATS=plain,avro measures only those.
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, fmt, kafkaTs, median, SCALE, startDaemon, table, timed } from './lib.js';

const AVRO = { type: 'record', name: 'Event', fields: [{ name: 'id', type: 'long' }, { name: 'user', type: 'string' }, { name: 'score', type: 'double' }, { name: 'active', type: 'boolean' }, { name: 'tag', type: ['null', 'string'], default: null }] };
const JSON_SCHEMA = { type: 'object', properties: { id: { type: 'integer' }, user: { type: 'string' }, score: { type: 'number' }, active: { type: 'boolean' }, tag: { type: ['null', 'object'] } }, required: ['id', 'user'] };
const PROTO = 'syntax = "proto3";\nmessage Event { int64 id = 1; string user = 2; double score = 3; bool active = 4; Tag tag = 5; }\nmessage Tag { string string = 1; }\n';

function jsonLines(dir, count) {
  const path = join(dir, `events-${count}.jsonl`);
  const fd = openSync(path, 'w');
  let chunk = [];
  for (let i = 0; i < count; i++) {
    chunk.push(`{"id":${i},"user":"user-${i % 5000}","score":${(i % 1000) / 8},"active":${i % 2 === 0},"tag":${i % 3 === 0 ? '{"string":"t"}' : 'null'}}\n`);
    if (chunk.length === 10000) {
      writeSync(fd, chunk.join(''));
      chunk = [];
    }
  }
  if (chunk.length) writeSync(fd, chunk.join(''));
  closeSync(fd);
  return path;
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-schemas-'));
  const daemon = startDaemon(['--schema-registry-port', '0']);
  const env = { KAFKA_TS_HOME: daemon.home };
  const count = Math.round(1_000_000 * SCALE);
  const results = {};
  try {
    const status = JSON.parse(kafkaTs(['server', 'status', '--output', 'json'], daemon.home).stdout);
    const reg = ['--property', `schema.registry.url=${status.schemaRegistry}`];
    const file = jsonLines(work, count);
    writeFileSync(join(work, 'event.avsc'), JSON.stringify(AVRO));
    writeFileSync(join(work, 'event.json'), JSON.stringify(JSON_SCHEMA));
    writeFileSync(join(work, 'event.proto'), PROTO);
    const formats = [
      ['plain', []],
      ['avro', ['--value-format', 'avro', ...reg, '--property', `value.schema.file=${join(work, 'event.avsc')}`]],
      ['json-schema', ['--value-format', 'json-schema', ...reg, '--property', `value.schema.file=${join(work, 'event.json')}`]],
      ['protobuf', ['--value-format', 'protobuf', ...reg, '--property', `value.schema.file=${join(work, 'event.proto')}`]],
    ];
    const only = process.env.BENCH_FORMATS ? process.env.BENCH_FORMATS.split(',') : null;
    const selected = formats.filter(([name]) => name === 'plain' || !only || only.includes(name));
    const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
    /** Per format, per round: seconds to produce and to consume. */
    const seconds = {};
    for (let round = 0; round < rounds; round++) {
      for (const [name, args] of selected) {
        const topic = `bench-${name}-${round}`;
        kafkaTs(['topics', '--create', '--topic', topic, '--partitions', '1'], daemon.home);
        const p = await timed(process.execPath, [BIN, 'console-producer', '--topic', topic, ...args], { inputFile: file, env });
        const consumeArgs = name === 'plain' ? [] : ['--value-format', name, ...reg];
        const c = await timed(process.execPath, [BIN, 'console-consumer', '--topic', topic, '--from-beginning', '-e', ...consumeArgs], { env });
        (seconds[name] ??= []).push({ produce: p.seconds, consume: c.seconds });
      }
    }
      const spread = (xs) => (xs.length > 1 ? ` (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})` : '');
    const base = seconds.plain;
    const rows = [];
    for (const name of Object.keys(seconds)) {
      const s = seconds[name];
      const produceRatios = s.map((r, i) => base[i].produce / r.produce);
      const consumeRatios = s.map((r, i) => base[i].consume / r.consume);
      const produceSeconds = median(s.map((r) => r.produce));
      const consumeSeconds = median(s.map((r) => r.consume));
      results[name] = { records: count, rounds, produceSeconds, consumeSeconds, produceRatio: median(produceRatios), consumeRatio: median(consumeRatios), produceRatios, consumeRatios };
      rows.push({
        format: name,
        produce: `${fmt(count / produceSeconds)} rec/s`,
        'vs plain': name === 'plain' ? '' : `${median(produceRatios).toFixed(2)}x${spread(produceRatios)}`,
        consume: `${fmt(count / consumeSeconds)} rec/s`,
        'vs plain ': name === 'plain' ? '' : `${median(consumeRatios).toFixed(2)}x${spread(consumeRatios)}`,
        target: name === 'avro' ? '>= 0.5x' : '',
      });
    }
    console.log(`${fmt(count)} JSON lines (~90 B) through console-producer / console-consumer (to /dev/null); median of ${rounds} rounds (spread of the ratios)`);
    table(rows);
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
