/**
 * kafka-ts cluster, features, metadata-quorum and streams-application-reset end to end against a
 * daemon with three brokers: Kafka's layouts (kafka-cluster.sh, kafka-features.sh,
 * kafka-metadata-quorum.sh, kafka-streams-application-reset.sh), JSON, exit codes, bad input;
 * the cluster id checked against kafka-python, a stopped voter's lag, and a reset group read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { PYTHON, requireKcat } from '../helpers/real-clients.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });

beforeAll(async () => {
  requireKcat();
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-cluster-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3']));
}, 60_000);
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

/** Polls `check` until it returns a value, or fails with the last thing seen. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cluster', () => {
  it('prints the cluster id kafka-python sees, in text and JSON', async () => {
    const r = await kt('cluster', 'cluster-id');
    expect(r).toMatchObject({ stderr: '', exitCode: 0 });
    const id = /^Cluster ID: (\S+)\n$/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const py = await execa(PYTHON, ['-c', `from kafka.admin import KafkaAdminClient\na=KafkaAdminClient(bootstrap_servers='${bootstrap}')\nprint(a.describe_cluster()['cluster_id'])\na.close()`], { reject: false });
    expect(py.stdout.trim(), py.stderr).toBe(id);
    expect(JSON.parse((await kt('cluster', 'cluster-id', '--bootstrap-server', bootstrap, '-o', 'json')).stdout)).toEqual({ clusterId: id });
  });

  it('says the daemon cannot unregister brokers (exit 1) and refuses bad input (exit 2)', async () => {
    expect(await kt('cluster', 'unregister', '--id', '2')).toEqual({ stdout: '', stderr: 'kafka-ts cluster: error: The target cluster does not support the broker unregistration API.\n', exitCode: 1 });
    const cases: [string[], string][] = [
      [['cluster', 'nope'], "Unknown verb 'nope': expected one of cluster-id, unregister"],
      [['cluster', 'unregister'], 'unregister needs --id: the broker to unregister'],
      [['cluster', 'unregister', '--id', 'x'], "Cannot parse argument 'x' of option --id"],
      [['cluster', 'cluster-id', '--id', '1'], '--id is only for unregister'],
    ];
    for (const [args, message] of cases) expect({ args, r: await kt(...args) }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts cluster: usage error: ${message}\n`, exitCode: 2 } });
  });
});

describe('features', () => {
  it('describes no feature flags on the daemon, saying so on stderr; JSON has an empty list', async () => {
    expect(await kt('features', 'describe')).toEqual({ stdout: '', stderr: 'The broker advertises no feature flags.\n', exitCode: 0 });
    expect(await kt('features', 'describe', '-o', 'json')).toEqual({ stdout: '{"features":[],"epoch":null}\n', stderr: '', exitCode: 0 });
  });

  it("refuses changes, with Kafka's options of each verb, and --bootstrap-controller (exit 2)", async () => {
    const unsupported = (verb: string) => `features ${verb} is not supported by kafka-ts, which only describes feature flags; use kafka-features.sh to change them`;
    const cases: [string[], string][] = [
      [['features', 'upgrade', '--metadata', '3.7-IV4'], unsupported('upgrade')],
      [['features', 'upgrade', '--feature', 'metadata.version=20'], unsupported('upgrade')],
      [['features', 'upgrade', '--release-version', '3.9-IV0', '--dry-run'], unsupported('upgrade')],
      [['features', 'downgrade', '--feature', 'metadata.version=20', '--feature', 'kraft.version=0', '--unsafe', '--dry-run'], unsupported('downgrade')],
      [['features', 'downgrade', '--release-version', '3.8-IV0'], unsupported('downgrade')],
      [['features', 'disable', '--feature', 'group.version', '--unsafe'], unsupported('disable')],
      [['features', 'version-mapping', '--release-version', '3.9-IV0'], unsupported('version-mapping')],
      [['features', 'feature-dependencies', '--feature', 'transaction.version=2'], unsupported('feature-dependencies')],
      [['features', 'describe', '--feature', 'metadata.version=20'], '--feature is not an option of features describe'],
      [['features', 'describe', '--bootstrap-controller', 'localhost:9093'], '--bootstrap-controller is not supported: kafka-ts talks to brokers; give a broker with --bootstrap-server'],
      [['features', 'list'], "Unknown verb 'list': expected describe"],
    ];
    for (const [args, message] of cases) {
      const r = await kt(...args);
      expect({ args, code: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 2, stdout: '', stderr: `kafka-ts features: usage error: ${message}\n` });
    }
  });
});

describe('metadata-quorum', () => {
  it("describes every broker as a voter in Kafka's layouts, and a stopped broker's lag", async () => {
    const status = await kt('metadata-quorum', 'describe', '--status');
    expect(status.exitCode, status.stderr).toBe(0);
    const id = /Cluster ID: (\S+)/.exec((await kt('cluster', 'cluster-id')).stdout)![1];
    expect(status.stdout).toMatch(
      new RegExp(
        `^ClusterId: {14}${id}\\nLeaderId: {15}1\\nLeaderEpoch: {12}\\d+\\nHighWatermark: {10}\\d+\\nMaxFollowerLag: {9}0\\nMaxFollowerLagTimeMs: {3}0\\nCurrentVoters: {10}\\[\\{"id": 1\\}, \\{"id": 2\\}, \\{"id": 3\\}\\]\\nCurrentObservers: {7}\\[\\]\\n$`,
      ),
    );
    const json = JSON.parse((await kt('metadata-quorum', 'describe', '--status', '-o', 'json')).stdout);
    expect(json).toMatchObject({ clusterId: id, leaderId: 1, maxFollowerLag: 0, currentVoters: [{ id: 1 }, { id: 2 }, { id: 3 }], currentObservers: [] });

    // Broker 3 stops; a topic created afterwards moves the log end past it.
    expect((await kt('server', 'stop-broker', '3')).exitCode).toBe(0);
    expect((await kt('topics', '--create', '--topic', 'quorum-after-stop', '--replication-factor', '2')).exitCode).toBe(0);
    const rep = await kt('metadata-quorum', 'describe', '--replication');
    expect(rep.exitCode, rep.stderr).toBe(0);
    const rows = rep.stdout.split('\n').filter(Boolean);
    // Kafka's ToolsUtils.prettyPrintTable: cells padded to the column width, each followed by a tab.
    expect(rows[0]).toBe('NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t');
    const cells = rows.slice(1).map((r) => r.split('\t').map((c) => c.trim()));
    expect(cells.map((c) => [c[0], c[1], c[6]])).toEqual([
      ['1', 'AAAAAAAAAAAAAAAAAAAAAA', 'Leader'],
      ['2', 'AAAAAAAAAAAAAAAAAAAAAA', 'Follower'],
      ['3', 'AAAAAAAAAAAAAAAAAAAAAA', 'Follower'],
    ]);
    const leo = cells.map((c) => Number(c[2]));
    expect(leo[0]).toBe(leo[1]);
    expect(leo[2]).toBeLessThan(leo[0]!);
    expect(Number(cells[2]![3])).toBe(leo[0]! - leo[2]!);
    const human = await kt('metadata-quorum', 'describe', '--replication', '--human-readable', '-o', 'json');
    const replicas = JSON.parse(human.stdout).replicas as { nodeId: number; lag: number; status: string }[];
    expect(replicas.map((r) => [r.nodeId, r.status, r.lag > 0])).toEqual([[1, 'Leader', false], [2, 'Follower', false], [3, 'Follower', true]]);
    expect((await kt('metadata-quorum', 'describe', '--replication', '--human-readable')).stdout).toMatch(/\d+ ms ago/);
    const lagging = JSON.parse((await kt('metadata-quorum', 'describe', '--status', '-o', 'json')).stdout);
    expect(lagging.maxFollowerLag).toBe(leo[0]! - leo[2]!);

    expect((await kt('server', 'start-broker', '3')).exitCode).toBe(0);
    const back = JSON.parse((await kt('metadata-quorum', 'describe', '--status', '-o', 'json')).stdout);
    expect(back.maxFollowerLag).toBe(0);
  }, 60_000);

  it('refuses bad input with kafka-metadata-quorum.sh\'s messages (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['metadata-quorum', 'describe'], 'One of --status or --replication must be specified with describe sub-command'],
      [['metadata-quorum', 'describe', '--status', '--replication'], 'Only one of --status or --replication can be specified with describe sub-command'],
      [['metadata-quorum', 'describe', '--status', '--human-readable'], 'The option --human-readable is only supported along with --replication'],
      [['metadata-quorum', 'describe', '--status', '--bootstrap-controller', 'localhost:9093'], '--bootstrap-controller is not supported: kafka-ts talks to brokers; give a broker with --bootstrap-server'],
      [['metadata-quorum', 'add-controller'], 'metadata-quorum add-controller is not supported by kafka-ts; use kafka-metadata-quorum.sh to change a KRaft quorum'],
    ];
    for (const [args, message] of cases) expect({ args, r: await kt(...args) }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts metadata-quorum: usage error: ${message}\n`, exitCode: 2 } });
  });
});

describe('streams-application-reset', () => {
  const committed = async (group: string) => {
    const r = await kt('consumer-groups', '--describe', '--group', group, '-o', 'json');
    const doc = JSON.parse(r.stdout) as { groups: { offsets: { topic: string; partition: number; currentOffset: number | null }[] }[] };
    return doc.groups[0]!.offsets.map((p) => `${p.topic}:${p.partition}:${p.currentOffset}`).sort();
  };

  it("resets input offsets, skips intermediate topics to the end and deletes internal topics, with Kafka's messages", async () => {
    for (const [t, p] of [['wc-input', '2'], ['wc-mid', '1'], ['wc-app-KSTREAM-AGG-changelog', '1'], ['wc-app-KSTREAM-x-repartition', '1'], ['wc-app-notinternal', '1']] as const) {
      expect((await kt('topics', '--create', '--topic', t, '--partitions', p)).exitCode).toBe(0);
    }
    await kafkaTs(['console-producer', '--topic', 'wc-input', '--property', 'parse.key=true'], { home, input: Array.from({ length: 20 }, (_, i) => `k${i}\tv${i}`).join('\n') });
    await kafkaTs(['console-producer', '--topic', 'wc-mid'], { home, input: 'a\nb\nc\n' });
    expect((await kt('console-consumer', '--topic', 'wc-input', '--group', 'wc-app', '--from-beginning', '--max-messages', '20')).exitCode).toBe(0);
    const before = await committed('wc-app');

    const dry = await kt('streams-application-reset', '--application-id', 'wc-app', '--input-topics', 'wc-input,wc-missing', '--intermediate-topics', 'wc-mid', '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(4);
    expect(dry.stdout).toBe(
      [
        '----Dry run displays the actions which will be performed when running Streams Reset Tool----',
        'Reset-offsets for input topics [wc-input, wc-missing]',
        'Seek-to-end for intermediate topics [wc-mid]',
        'Following input topics are not found, skipping them',
        'Topic: wc-missing',
        'Following input topics offsets will be reset to (for consumer group wc-app)',
        'Topic: wc-input Partition: 0 Offset: 0',
        'Topic: wc-input Partition: 1 Offset: 0',
        'Following intermediate topics offsets will be reset to end (for consumer group wc-app)',
        'Topic: wc-mid',
        'Done.',
        'Deleting inferred internal topics [wc-app-KSTREAM-AGG-changelog, wc-app-KSTREAM-x-repartition]',
        'Done.',
        '',
      ].join('\n'),
    );
    expect(dry.stderr).toBe('WARN: `--intermediate-topics` is deprecated and will be removed in a future release\nkafka-ts streams-application-reset: error: 1 topic(s) not found, skipped: wc-missing\n');
    // A dry run changes nothing.
    expect(await committed('wc-app')).toEqual(before);
    expect((await kt('topics', '--list')).stdout).toContain('wc-app-KSTREAM-AGG-changelog');

    const real = await kt('streams-application-reset', '--application-id', 'wc-app', '--input-topics', 'wc-input', '--intermediate-topics', 'wc-mid', '--to-offset', '3', '-o', 'json');
    expect(real.exitCode, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toEqual({
      applicationId: 'wc-app',
      dryRun: false,
      removedMembers: [],
      offsets: [
        { topic: 'wc-input', partition: 0, offset: 3, kind: 'input' },
        { topic: 'wc-input', partition: 1, offset: 3, kind: 'input' },
        { topic: 'wc-mid', partition: 0, offset: 3, kind: 'intermediate' },
      ],
      missingTopics: [],
      deletedTopics: ['wc-app-KSTREAM-AGG-changelog', 'wc-app-KSTREAM-x-repartition'],
    });
    expect(await committed('wc-app')).toEqual(['wc-input:0:3', 'wc-input:1:3', 'wc-mid:0:3']);
    const topics = (await kt('topics', '--list')).stdout.split('\n');
    expect(topics).toContain('wc-app-notinternal');
    expect(topics).not.toContain('wc-app-KSTREAM-AGG-changelog');
    expect(topics).not.toContain('wc-app-KSTREAM-x-repartition');

    // Clamping, from a CSV plan, with Kafka's messages.
    const plan = join(home, 'plan.csv');
    writeFileSync(plan, 'wc-input,0,1000\nwc-input,1,2\n');
    const fromFile = await kt('streams-application-reset', '--application-id', 'wc-app', '--input-topics', 'wc-input', '--from-file', plan);
    expect(fromFile.exitCode, fromFile.stderr).toBe(0);
    const ends = await committed('wc-app');
    const end0 = Number(ends.find((e) => e.startsWith('wc-input:0:'))!.split(':')[2]);
    expect(fromFile.stdout).toContain(`New offset (1000) is higher than latest offset. Value will be set to ${end0}\n`);
    expect(ends).toContain('wc-input:1:2');
    // --shift-by moves from the committed offset.
    expect((await kt('streams-application-reset', '--application-id', 'wc-app', '--input-topics', 'wc-input', '--shift-by', '-1')).exitCode).toBe(0);
    expect(await committed('wc-app')).toContain('wc-input:1:1');
  }, 60_000);

  it('refuses an application with members (exit 5); --force removes them first', async () => {
    expect((await kt('topics', '--create', '--topic', 'force-input')).exitCode).toBe(0);
    await kafkaTs(['console-producer', '--topic', 'force-input'], { home, input: 'a\nb\n' });
    // A member that died without leaving (kcat killed), with a session timeout long enough to stay.
    const member = execa('/usr/bin/kcat', ['-b', bootstrap, '-G', 'force-app', '-X', 'session.timeout.ms=60000', '-q', 'force-input'], { reject: false });
    await waitFor('kcat to join force-app', async () => {
      const r = await kt('consumer-groups', '--describe', '--group', 'force-app', '--state', '-o', 'json');
      return r.stdout.includes('"Stable"') ? true : undefined;
    });
    member.kill('SIGKILL');
    await member;
    const refused = await kt('streams-application-reset', '--application-id', 'force-app', '--input-topics', 'force-input');
    expect(refused.exitCode).toBe(5);
    expect(refused.stderr).toMatch(/^kafka-ts streams-application-reset: error: Consumer group 'force-app' is still active and has following members: \[rdkafka-[^\]]+\]\. Make sure to stop all running application instances before running the reset tool\. You can use option '--force' to remove active members from the group\.\n$/);
    const forced = await kt('streams-application-reset', '--application-id', 'force-app', '--input-topics', 'force-input', '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout.split('\n').slice(0, 3)).toEqual(['Force deleting all active members in the group: force-app', 'Reset-offsets for input topics [force-input]', 'Following input topics offsets will be reset to (for consumer group force-app)']);
    expect(await committed('force-app')).toEqual(['force-input:0:0']);
  }, 60_000);

  it('a topic that does not exist is one error line (exit 4) after the rest, in JSON the document then the error object; a dry run names what it would delete', async () => {
    expect((await kt('topics', '--create', '--topic', 'miss-app-store-changelog')).exitCode).toBe(0);
    const text = await kt('streams-application-reset', '--application-id', 'miss-app', '--input-topics', 'nope', '--dry-run');
    expect(text).toEqual({
      exitCode: 4,
      stdout: [
        '----Dry run displays the actions which will be performed when running Streams Reset Tool----',
        'Reset-offsets for input topics [nope]',
        'Following input topics are not found, skipping them',
        'Topic: nope',
        'Deleting inferred internal topics [miss-app-store-changelog]',
        'Done.',
        '',
      ].join('\n'),
      stderr: 'kafka-ts streams-application-reset: error: 1 topic(s) not found, skipped: nope\n',
    });
    const json = await kt('streams-application-reset', '--application-id', 'miss-app', '--input-topics', 'nope', '--dry-run', '-o', 'json');
    expect(json.exitCode).toBe(4);
    expect(json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { applicationId: 'miss-app', dryRun: true, membersToRemove: [], offsets: [], missingTopics: ['nope'], topicsToDelete: ['miss-app-store-changelog'] },
      { error: { code: 4, kind: 'not_found', message: '1 topic(s) not found, skipped: nope' } },
    ]);
    expect(json.stderr).toBe('kafka-ts streams-application-reset: error: 1 topic(s) not found, skipped: nope\n');
    expect((await kt('topics', '--list')).stdout.split('\n')).toContain('miss-app-store-changelog');
    // The real reset does the rest (deletes the internal topic), then fails the same way.
    const real = await kt('streams-application-reset', '--application-id', 'miss-app', '--input-topics', 'nope', '-o', 'json');
    expect(real.exitCode).toBe(4);
    const [doc, error] = real.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(doc).toEqual({ applicationId: 'miss-app', dryRun: false, removedMembers: [], offsets: [], missingTopics: ['nope'], deletedTopics: ['miss-app-store-changelog'] });
    expect(error).toEqual({ error: { code: 4, kind: 'not_found', message: '1 topic(s) not found, skipped: nope (the rest of the reset was done)' } });
    expect((await kt('topics', '--list')).stdout.split('\n')).not.toContain('miss-app-store-changelog');
  });

  it('refuses bad input before changing anything (exit 2)', async () => {
    const empty = join(home, 'empty.csv');
    writeFileSync(empty, '');
    const bad = join(home, 'bad.csv');
    writeFileSync(bad, 'wc-input;0;1\n');
    const cases: [string[], string][] = [
      [['streams-application-reset', '--input-topics', 'x'], 'Missing required option(s): application-id'],
      [['streams-application-reset', '--application-id', 'a', '--to-offset', '1', '--to-latest'], 'Option --to-offset, --to-latest cannot be used together'],
      [['streams-application-reset', '--application-id', 'a', '--to-datetime', 'yesterday'], "Error parsing date 'yesterday': expected yyyy-MM-ddTHH:mm:ss.SSS with an optional zone (Z, +hh, +hhmm or +hh:mm), e.g. 2024-01-31T12:00:00.000Z"],
      [['streams-application-reset', '--application-id', 'a', '--from-file', empty], `Error parsing reset plan CSV file ${empty}. It is empty.`],
      [['streams-application-reset', '--application-id', 'a', '--from-file', bad], `Reset plan CSV file ${bad} is not following the format \`TOPIC,PARTITION,OFFSET\` (line 1: "wc-input;0;1").`],
      [['streams-application-reset', '--application-id', 'wc-app', '--internal-topics', 'wc-app-notinternal'], 'Invalid topic specified in the --internal-topics option. Ensure that the topics specified are all internal topics. Do a dry run without the --internal-topics option to see the list of all internal topics that can be deleted.'],
    ];
    for (const [args, message] of cases) expect({ args, r: await kt(...args) }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts streams-application-reset: usage error: ${message}\n`, exitCode: 2 } });
    expect((await kt('topics', '--list')).stdout).toContain('wc-app-notinternal');
  });
});
