/**
 * kafka-ts configs for client quotas (users, clients, users + clients, ips, defaults) against the
 * daemon: Kafka's describe lines and completion lines, JSON, bad input (one line, exit code,
 * nothing changed) and quotas surviving a daemon restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(['configs', '--bootstrap-server', bootstrap, ...args], { home });

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-quotas-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

const ok = (r: RunResult, stdout: string) => expect(r).toEqual({ stdout, stderr: '', exitCode: 0 });

describe('configs client quotas', () => {
  it("alters and describes quotas in Kafka's layouts, text and JSON, and keeps them over a restart", async () => {
    ok(await kt('--alter', '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048', '--entity-type', 'clients', '--entity-name', 'c1'), 'Completed updating config for client c1.\n');
    ok(await kt('--alter', '--add-config', 'producer_byte_rate=20000000', '--user-defaults'), 'Completed updating default config for users in the cluster.\n');
    ok(await kt('--alter', '--add-config', 'request_percentage=50.5', '--entity-type', 'users', '--entity-name', 'u', '--entity-type', 'clients', '--entity-name', 'c'), 'Completed updating config for user u.\n');
    ok(await kt('--alter', '--add-config', 'connection_creation_rate=10', '--ip', '1.2.3.4'), 'Completed updating config for ip 1.2.3.4.\n');
    ok(await kt('--alter', '--add-config', 'consumer_byte_rate=4096', '--user', 'alice'), 'Completed updating config for user alice.\n');

    ok(await kt('--describe', '--entity-type', 'clients'), "Quota configs for client-id 'c1' are producer_byte_rate=1024.0, consumer_byte_rate=2048.0\n");
    ok(await kt('--describe', '--entity-type', 'users', '--entity-default'), 'Quota configs for the default user-principal are producer_byte_rate=2.0E7\n');
    ok(await kt('--describe', '--entity-type', 'users', '--entity-type', 'clients'), "Quota configs for user-principal 'u', client-id 'c' are request_percentage=50.5\n");
    ok(await kt('--describe', '--user', 'alice'), "Quota configs for user-principal 'alice' are consumer_byte_rate=4096.0\n");
    // Without a name every entity of the type is described, the default one too (Kafka's ClientQuotaFilterComponent.ofEntityType).
    ok(await kt('--alter', '--add-config', 'producer_byte_rate=1000000000', '--client-defaults'), 'Completed updating default config for clients in the cluster.\n');
    ok(await kt('--describe', '--entity-type', 'clients'), "Quota configs for client-id 'c1' are producer_byte_rate=1024.0, consumer_byte_rate=2048.0\nQuota configs for the default client-id are producer_byte_rate=1.0E9\n");
    ok(await kt('--alter', '--delete-config', 'producer_byte_rate', '--client-defaults'), 'Completed updating default config for clients in the cluster.\n');
    const json = await kt('--describe', '--ip', '1.2.3.4', '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ quotas: [{ entity: { ip: '1.2.3.4' }, quotas: { connection_creation_rate: 10 } }] });

    ok(await kt('--alter', '--delete-config', 'consumer_byte_rate', '--client', 'c1'), 'Completed updating config for client c1.\n');
    await stopDaemon(home);
    ({ bootstrap } = await startDaemon(home));
    ok(await kt('--describe', '--client', 'c1'), "Quota configs for client-id 'c1' are producer_byte_rate=1024.0\n");
  }, 60_000);

  it('refuses bad input with one line and its exit code, changing nothing', async () => {
    const cases: [string[], string, number][] = [
      [['--alter', '--add-config', 'foo=1', '--client', 'c1'], "kafka-ts configs: usage error: Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: foo\n", 2],
      [['--alter', '--add-config', 'producer_byte_rate=abc', '--client', 'c1'], 'kafka-ts configs: usage error: Cannot parse quota configuration value for producer_byte_rate: abc\n', 2],
      [['--alter', '--add-config', 'producer_byte_rate=-5', '--client', 'c1'], 'kafka-ts configs: error: Configuration producer_byte_rate must be a non-negative value, but it is -5 (INVALID_REQUEST)\n', 1],
      [['--alter', '--add-config', 'producer_byte_rate=1.5', '--client', 'c1'], 'kafka-ts configs: error: Configuration producer_byte_rate must be a Long value (INVALID_REQUEST)\n', 1],
      [['--alter', '--delete-config', 'request_percentage', '--client', 'c1'], 'kafka-ts configs: error: Invalid config(s): request_percentage\n', 1],
      [['--alter', '--add-config', 'producer_byte_rate=1', '--entity-type', 'ips', '--entity-name', 'x', '--entity-type', 'clients', '--entity-name', 'c'], "kafka-ts configs: usage error: Only 'users' and 'clients' entity types may be specified together\n", 2],
      [['--alter', '--add-config', 'producer_byte_rate=1,SCRAM-SHA-256=[password=p]', '--user', 'alice'], "kafka-ts configs: usage error: Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.\n", 2],
    ];
    for (const [args, stderr, exitCode] of cases) {
      const r = await kt(...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr, exitCode } });
    }
    ok(await kt('--describe', '--client', 'c1'), "Quota configs for client-id 'c1' are producer_byte_rate=1024.0\n");
  }, 60_000);
});
