/**
 * kafka-ts configs against a daemon of three logical brokers: each broker describes its own
 * broker.id, node.id and log.dirs (kafka-ts and kafka-python, which both send a broker's
 * resource to that broker); a broker asked about another broker's id answers as Kafka does
 * (INVALID_REQUEST "Unexpected broker id, …", for brokers and broker loggers); a per-broker
 * dynamic config stays on its broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { PYTHON, requirePython } from '../helpers/real-clients.js';
import { RESOURCE_BROKER } from '../../src/client/admin.js';
import { daemonHeapMb } from '../../src/cli/local-daemon.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { DescribeConfigs, IncrementalAlterConfigs } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });

beforeAll(async () => {
  await requirePython('kafka');
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-configs-brokers-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3']));
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'configs-brokers-test' });
});
afterAll(async () => {
  await client?.close();
  await stopDaemon(home);
  cleanup();
});

const IDENTITY = /^ {2}(broker\.id|node\.id|log\.dirs)=/;

describe('configs --describe of brokers with --brokers 3', () => {
  it('each broker describes its own broker.id, node.id and log.dirs (text and JSON)', async () => {
    for (const id of ['1', '2', '3']) {
      const r = await kt('configs', '--describe', '--broker', id, '--all');
      expect(r.exitCode, r.stderr).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(`All configs for broker ${id} are:`);
      const dir = `${home}/data${id === '1' ? '' : `-${id}`}`;
      expect(lines.filter((l) => IDENTITY.test(l))).toEqual([
        `  broker.id=${id} sensitive=false synonyms={DEFAULT_CONFIG:broker.id=${id}}`,
        `  log.dirs=${dir} sensitive=false synonyms={DEFAULT_CONFIG:log.dirs=${dir}}`,
        `  node.id=${id} sensitive=false synonyms={DEFAULT_CONFIG:node.id=${id}}`,
      ]);
      const json = JSON.parse((await kt('configs', '--describe', '--broker', id, '--all', '-o', 'json')).stdout);
      const byName = Object.fromEntries(json.entities[0].configs.map((c: { name: string; value: string }) => [c.name, c.value]));
      expect({ name: json.entities[0].name, id: byName['broker.id'], node: byName['node.id'], dirs: byName['log.dirs'] }).toEqual({ name: id, id, node: id, dirs: dir });
    }
  });

  it('kafka-ts.max.partitions, unset, follows the daemon\'s heap limit (80 partition replicas per MB of it)', async () => {
    // The heap limit V8 derives from the daemon's --max-old-space-size (256 MB unless KAFKA_HEAP_OPTS says otherwise) on this machine.
    const limit = await execa(process.execPath, [`--max-old-space-size=${daemonHeapMb(process.env)}`, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit']);
    const r = await kt('configs', '--describe', '--broker', '1', '--all');
    expect(r.stdout.split('\n').find((l) => l.startsWith('  kafka-ts.max.partitions='))).toMatch(
      new RegExp(`^ {2}kafka-ts\\.max\\.partitions=${Math.floor((Number(limit.stdout) / 1048576) * 80)} sensitive=false synonyms=\\{DEFAULT_CONFIG:`),
    );
  });

  it('kafka-python describe_configs of each broker gets that broker\'s own identity', async () => {
    const script = [
      'import sys, json',
      'from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType',
      "a = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id='configs-brokers-test')",
      'out = {}',
      "for b in ['1', '2', '3']:",
      '    for resp in a.describe_configs([ConfigResource(ConfigResourceType.BROKER, b)]):',
      '        for res in resp.resources:',
      "            out[res[3]] = {'error': res[0], 'configs': {e[0]: e[1] for e in res[4] if e[0] in ('broker.id', 'node.id')}}",
      'a.close()',
      'print(json.dumps(out))',
    ].join('\n');
    const r = await execa(PYTHON, ['-c', script, bootstrap], { reject: false, timeout: 60_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout))).toEqual({
      '1': { error: 0, configs: { 'broker.id': '1', 'node.id': '1' } },
      '2': { error: 0, configs: { 'broker.id': '2', 'node.id': '2' } },
      '3': { error: 0, configs: { 'broker.id': '3', 'node.id': '3' } },
    });
  });

  it("a broker asked about another broker's id answers Kafka's INVALID_REQUEST", async () => {
    const d = await client.send(1, DescribeConfigs, { resources: [{ resourceType: RESOURCE_BROKER, resourceName: '2', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    expect(d.body.results.map((r) => [r.errorCode, r.errorMessage, r.configs.length])).toEqual([[ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 2', 0]]);
    const a = await client.send(3, IncrementalAlterConfigs, {
      resources: [{ resourceType: RESOURCE_BROKER, resourceName: '1', configs: [{ name: 'log.cleaner.threads', configOperation: 0, value: '2' }] }],
      validateOnly: false,
    });
    expect(a.body.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([[ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 3, but received 1']]);
    const l = await client.send(2, DescribeConfigs, { resources: [{ resourceType: 8, resourceName: '1', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    expect(l.body.results.map((r) => [r.errorCode, r.errorMessage])).toEqual([[ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 2 but received 1']]);
    // Nothing changed on broker 1.
    expect(await kt('configs', '--describe', '--broker', '1')).toEqual({ stdout: 'Dynamic configs for broker 1 are:\n', stderr: '', exitCode: 0 });
  });

  it('a broker config name nobody knows (a misspelt one) is kept, as Kafka keeps it, with a warning that it does nothing', async () => {
    const warning = 'WARN log.retention.hourss has no effect on this kafka-ts broker: no setting of this name exists (a misspelt name?)\n';
    expect(await kt('configs', '--alter', '--broker', '3', '--add-config', 'log.retention.hourss=5')).toEqual({ stdout: 'Completed updating config for broker 3.\n', stderr: warning, exitCode: 0 });
    const json = await kt('configs', '--alter', '--broker', '3', '--delete-config', 'log.retention.hourss', '--output', 'json');
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ entityName: '3', deleted: ['log.retention.hourss'] });
  });

  it('a per-broker dynamic config stays on its broker; the default reaches every broker', async () => {
    // Accepted as Kafka accepts it, with a word: the daemon has no thread pools.
    expect(await kt('configs', '--alter', '--broker', '2', '--add-config', 'num.io.threads=16')).toEqual({
      stdout: 'Completed updating config for broker 2.\n',
      stderr: 'WARN num.io.threads has no effect on this kafka-ts broker: the daemon is one Node.js process serving every logical broker from one event loop; it has no thread pools to size\n',
      exitCode: 0,
    });
    expect(await kt('configs', '--alter', '--broker-defaults', '--add-config', 'num.io.threads=4')).toMatchObject({ exitCode: 0 });
    expect((await kt('configs', '--describe', '--entity-type', 'brokers')).stdout).toBe(
      [
        'Dynamic configs for broker 1 are:',
        'Dynamic configs for broker 2 are:',
        '  num.io.threads=16 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:num.io.threads=16, DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=4, DEFAULT_CONFIG:num.io.threads=8}',
        'Dynamic configs for broker 3 are:',
        'Default configs for brokers in the cluster are:',
        '  num.io.threads=4 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=4}',
        '',
      ].join('\n'),
    );
    const all3 = (await kt('configs', '--describe', '--broker', '3', '--all')).stdout.split('\n');
    expect(all3.filter((l) => l.startsWith('  num.io.threads='))).toEqual([
      '  num.io.threads=4 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=4, DEFAULT_CONFIG:num.io.threads=8}',
    ]);
  });
});
