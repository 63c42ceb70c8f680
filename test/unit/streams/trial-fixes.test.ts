/**
 * What a new user's trial of kafka-ts streams found: Streams properties kafka-ts does not
 * implement are not ignored in silence (warned about, or refused when they change the data),
 * default.key.serde / default.value.serde map to kafka-ts's serdes, context.taskId() prints as
 * Kafka's TaskId does (0_0), and the registry serdes without a registry name what streams takes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStreamsKeys, defaultSerde, parseStreamsConfig } from '../../../src/streams/runtime/config.js';
import { Topology } from '../../../src/streams/topology.js';
import { TopologyTestDriver } from '../../../src/streams/test-driver.js';
import type { ProcessorContext, Record as StreamsRecord } from '../../../src/streams/index.js';
import { appTopology } from '../../../src/tools/streams-app.js';
import { builtInTopology, inputSerdes } from '../../../src/tools/streams.js';
import { streamsRegistry } from '../../../src/cli/flags/streams.js';
import { CliContext } from '../../../src/cli/context.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-ts-streams-trial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Streams properties kafka-ts does not implement', () => {
  it("warns about unknown keys in Kafka's words and about performance-only keys as having no effect", () => {
    const w = checkStreamsKeys({ bogus: '1', 'num.standby.replicas': '1', 'topology.optimization': 'all', 'statestore.cache.max.bytes': '1000', 'security.protocol': 'SSL', 'sasl.mechanism': 'PLAIN', 'linger.ms': '5', 'application.id': 'a', 'schema.registry.url': 'http://r', 'value.schema': '{}' });
    expect(w).toEqual([
      "The configuration 'bogus' was supplied but isn't a known config.",
      "The configuration 'num.standby.replicas' has no effect: kafka-ts keeps no standby replicas; a task that moves restores its stores from their changelogs.",
      "The configuration 'topology.optimization' has no effect: kafka-ts does not rewrite topologies; they run as built.",
      "The configuration 'statestore.cache.max.bytes' has no effect: kafka-ts has no record cache; every update is forwarded (changelogs get the latest value per key at each commit).",
      "The configuration 'linger.ms' has no effect: kafka-ts streams passes on only the connection settings (bootstrap.servers, security.protocol, ssl.*, sasl.*) to its clients.",
    ]);
  });

  it('refuses (ConfigException, usage) a key that changes the data unless it names the default', () => {
    expect(() => checkStreamsKeys({ 'default.timestamp.extractor': 'com.acme.MyExtractor' })).toThrow(
      'Invalid value com.acme.MyExtractor for configuration default.timestamp.extractor: kafka-ts runs no Java classes and implements only org.apache.kafka.streams.processor.FailOnInvalidTimestamp',
    );
    expect(checkStreamsKeys({ 'default.timestamp.extractor': 'org.apache.kafka.streams.processor.FailOnInvalidTimestamp' })).toEqual([]);
  });

  it('maps default.key.serde / default.value.serde to the serdes kafka-ts has, and refuses others (exit 2)', () => {
    expect(defaultSerde({ 'default.key.serde': 'org.apache.kafka.common.serialization.Serdes$LongSerde' }, 'key')).toBe('long');
    expect(defaultSerde({}, 'value')).toBeUndefined();
    let err: unknown;
    try {
      parseStreamsConfig({ 'application.id': 'a', 'default.value.serde': 'org.apache.kafka.common.serialization.Serdes' });
    } catch (e) {
      err = e;
    }
    expect((err as { kind?: string }).kind).toBe('usage');
    expect((err as Error).message).toMatch(/^Invalid value org\.apache\.kafka\.common\.serialization\.Serdes for configuration default\.value\.serde: kafka-ts has no serde for class .*quote the value/);
    // The command's flags win over the properties.
    const reg = async () => ({ url: 'http://r' });
    expect(inputSerdes({}, { 'default.key.serde': 'org.apache.kafka.common.serialization.Serdes$LongSerde' }, reg).keySerde).toBe('long');
    expect(inputSerdes({ keySerde: 'string' }, { 'default.key.serde': 'org.apache.kafka.common.serialization.Serdes$LongSerde' }, reg).keySerde).toBe('string');
  });

  it('default.key.serde reaches a built-in topology and the StreamsBuilder an app file gets', async () => {
    const long = (n: number) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(n));
      return b;
    };
    const copy = builtInTopology({ verb: 'copy', from: 'in', to: 'out', ...inputSerdes({}, { 'default.key.serde': 'org.apache.kafka.common.serialization.Serdes$LongSerde' }, async () => ({ url: 'x' })) });
    // Keys are read as longs now: two bytes are not one.
    expect(() => new TopologyTestDriver(copy.topology).pipeRaw('in', new Uint8Array([1, 2]), Buffer.from('v'), 0)).toThrow(/LongDeserializer/);
    const app = join(dir, 'keys.mjs');
    writeFileSync(app, "export default (b) => { b.stream('in').mapValues((v, k) => `${typeof k}:${k}`).to('out'); };\n");
    const built = await appTopology(app, () => ({ keySerde: 'long' }));
    const d2 = new TopologyTestDriver(built.topology);
    d2.pipeRaw('in', long(42), Buffer.from('v'), 0);
    const [out] = d2.takeOutput('out');
    expect(Buffer.from(out!.value!).toString()).toBe('number:42');
    // A Topology the app makes itself names its own serdes: the defaults cannot reach it.
    const papi = join(dir, 'papi-defaults.mjs');
    writeFileSync(papi, "export default (b, s) => new s.Topology().addSource('src', 'in').addSink('sink', 'out', 'src');\n");
    await expect(appTopology(papi, () => ({ keySerde: 'long' }))).rejects.toThrow(/default\.key\.serde \/ default\.value\.serde apply to the StreamsBuilder/);
  });
});

describe('application.id', () => {
  it('too long for a directory name is said so (usage), not blamed on state.dir', () => {
    expect(() => parseStreamsConfig({ 'application.id': 'a'.repeat(260) })).toThrow(/^Invalid value a{40}… for configuration application\.id: 260 characters is too long for the name of its state directory \(at most 255\)$/);
  });
});

describe('context.taskId()', () => {
  it("prints as Kafka's TaskId (0_0) and keeps its fields", () => {
    const seen: unknown[] = [];
    const t = new Topology()
      .addSource('src', 'in')
      .addProcessor(
        'p',
        () => {
          let ctx: ProcessorContext<unknown, unknown>;
          return {
            init: (c: ProcessorContext<unknown, unknown>) => void (ctx = c),
            process: (_r: StreamsRecord<unknown, unknown>) => void seen.push(`tick-${ctx.taskId()}`, ctx.taskId().subtopology, ctx.taskId().partition, JSON.stringify(ctx.taskId())),
          };
        },
        'src',
      );
    const d = new TopologyTestDriver(t);
    d.pipeRaw('in', null, Buffer.from('x'), 0);
    expect(seen).toEqual(['tick-0_0', 0, 0, '{"subtopology":0,"partition":0}']);
  });
});

describe('the registry serdes without a registry', () => {
  it('names what streams takes (--config schema.registry.url), not an option it lacks', async () => {
    const ctx = new CliContext({ KAFKA_TS_CONTEXT: '', KAFKA_BOOTSTRAP_SERVERS: '', KAFKA_TS_CONFIG_DIR: join(dir, 'config') });
    const e = await streamsRegistry(ctx, '127.0.0.1:1', {}).catch((x: Error) => x);
    expect((e as Error).message).toBe('No schema registry given: set --config schema.registry.url=http://host:8081 (or schema.registry.url in --streams.config)');
    expect((e as Error).message).not.toMatch(/--schema-registry-url/);
  });
});
