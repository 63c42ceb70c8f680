/**
 * kafka-ts acls end to end (execa against a daemon with the authorizer on and no ACLs): Kafka's
 * add/list layouts, JSON, verb style, usage errors, --remove's confirmation, and what an
 * anonymous TCP client sees when ACLs refuse it (one line naming the operation and resource, exit 8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

const STANDARD = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });
const acls = (...args: string[]): Promise<RunResult> => kt('acls', ...args);

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-acls-'));
  ({ bootstrap } = await startDaemon(home, ['--override', `authorizer.class.name=${STANDARD}`]));
  expect((await kt('topics', 'create', 'orders')).exitCode).toBe(0);
}, 90_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

const ADDED = [
  'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: ',
  ' \t(principal=User:ANONYMOUS, host=*, operation=WRITE, permissionType=ALLOW)',
  '\t(principal=User:ANONYMOUS, host=*, operation=DESCRIBE, permissionType=ALLOW)',
  '\t(principal=User:ANONYMOUS, host=*, operation=CREATE, permissionType=ALLOW) ',
  '',
  'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: ',
  ' \t(principal=User:ANONYMOUS, host=*, operation=WRITE, permissionType=ALLOW)',
  '\t(principal=User:ANONYMOUS, host=*, operation=DESCRIBE, permissionType=ALLOW)',
  '\t(principal=User:ANONYMOUS, host=*, operation=CREATE, permissionType=ALLOW) ',
  '',
  '',
].join('\n');

describe('acls', () => {
  it('refuses an anonymous TCP client with one line naming the operation and resource, exit 8', async () => {
    const consume = await kt('console-consumer', '--bootstrap-server', bootstrap, '--topic', 'orders', '--from-beginning', '--max-messages', '1', '--timeout-ms', '5000');
    expect(consume.exitCode).toBe(8);
    expect(consume.stderr).toContain('User:ANONYMOUS is not authorized to describe topic orders (TOPIC_AUTHORIZATION_FAILED)');
    const describe = await kt('topics', '--bootstrap-server', bootstrap, '--describe', '--topic', 'orders');
    expect(describe.exitCode).toBe(8);
    expect(describe.stdout).toContain('not authorized to describe topic orders (TOPIC_AUTHORIZATION_FAILED)');
    const produce = await kafkaTs(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'orders'], { home, input: 'x\n' });
    expect(produce.exitCode).toBe(8);
    expect(produce.stderr).toContain('not authorized to write to topic orders (TOPIC_AUTHORIZATION_FAILED)');
    const list = await acls('--bootstrap-server', bootstrap, '--list', '--output', 'json');
    expect(list.exitCode).toBe(8);
    expect(JSON.parse(list.stdout)).toMatchObject({ error: { code: 8, kind: 'denied' } });
    expect(list.stderr).toContain('not authorized to list ACLs (DESCRIBE on the cluster) (CLUSTER_AUTHORIZATION_FAILED)');
    const group = await kt('consumer-groups', '--bootstrap-server', bootstrap, '--describe', '--group', 'g');
    expect(group.exitCode).toBe(8);
    expect(group.stderr).toContain('not authorized to access group g (GROUP_AUTHORIZATION_FAILED)');
    expect(`${consume.stderr}${produce.stderr}${list.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('get-offsets --topic T that the principal may not describe is a denial (exit 8), not a missing topic', async () => {
    const r = await kt('get-offsets', '--bootstrap-server', bootstrap, '--topic', 'orders');
    expect(r.exitCode, r.stderr).toBe(8);
    expect(r.stderr).toContain('User:ANONYMOUS is not authorized to access topics: [orders] (TOPIC_AUTHORIZATION_FAILED)');
    expect(r.stderr).not.toContain('Could not match');
    const json = await kt('get-offsets', '--bootstrap-server', bootstrap, '--topic-partitions', 'orders:0', '--output', 'json');
    expect(json.exitCode).toBe(8);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 8, kind: 'denied' } });
    // A pattern names no topic: what the listing (which leaves orders out) matches, as Kafka's tool.
    const pattern = await kt('get-offsets', '--bootstrap-server', bootstrap, '--topic', 'ord.*');
    expect(pattern.exitCode).toBe(4);
    expect(pattern.stderr).toContain('Could not match any topic-partitions with the specified filters');
    // Beside a topic it may describe: that one printed, the denied one said on stderr in the
    // error's form (it lacked the principal), exit 8.
    expect((await kt('topics', 'create', 'open')).exitCode).toBe(0);
    const open = ['--allow-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--topic', 'open'];
    expect((await acls('--add', ...open)).exitCode).toBe(0);
    try {
      const both = await kt('get-offsets', '--bootstrap-server', bootstrap, '--topic', 'orders,open');
      expect(both).toEqual({ exitCode: 8, stdout: 'open:0:0\n', stderr: 'User:ANONYMOUS is not authorized to access topics: [orders] (TOPIC_AUTHORIZATION_FAILED): left out\n' });
    } finally {
      expect((await acls('--remove', '--force', ...open)).exitCode).toBe(0);
      expect((await kt('topics', 'delete', 'open')).exitCode).toBe(0);
    }
  });

  it("adds --producer ACLs over the local socket in kafka-acls.sh's layout; the producer may then write", async () => {
    const r = await acls('--add', '--allow-principal', 'User:ANONYMOUS', '--producer', '--topic', 'orders');
    expect(r).toMatchObject({ exitCode: 0, stdout: ADDED });
    const produce = await kafkaTs(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'orders'], { home, input: 'one\n' });
    expect(produce.exitCode).toBe(0);
    const consume = await kt('console-consumer', '--bootstrap-server', bootstrap, '--topic', 'orders', '--from-beginning', '--max-messages', '1', '--timeout-ms', '5000');
    expect(consume.exitCode).toBe(8);
    expect(consume.stderr).toContain('not authorized to read topic orders (TOPIC_AUTHORIZATION_FAILED)');
  });

  it('lists in JSON and by principal, in verb style', async () => {
    await acls('add', '--allow-principal', 'User:bob', '--operation', 'Read', '--operation', 'describe', '--topic', 'logs.', '--resource-pattern-type', 'prefixed');
    const json = await acls('list', '-o', 'json');
    expect(json.exitCode).toBe(0);
    const doc = JSON.parse(json.stdout) as { resources: { resourceType: string; name: string; patternType: string; acls: { principal: string; operation: string }[] }[] };
    expect(doc.resources.map((x) => `${x.resourceType}:${x.name}:${x.patternType}:${x.acls.length}`).sort()).toEqual(['TOPIC:logs.:PREFIXED:2', 'TOPIC:orders:LITERAL:3']);
    const bob = await acls('--list', '--principal', 'User:bob');
    expect(bob.stdout).toBe(
      [
        'ACLs for principal `User:bob`',
        'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=logs., patternType=PREFIXED)`: ',
        ' \t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)',
        '\t(principal=User:bob, host=*, operation=DESCRIBE, permissionType=ALLOW) ',
        '',
        '',
      ].join('\n'),
    );
    const match = await acls('--list', '--topic', 'logs.app', '--resource-pattern-type', 'match', '-o', 'json');
    expect((JSON.parse(match.stdout) as { resources: { name: string }[] }).resources.map((x) => x.name)).toEqual(['logs.']);
  });

  it('refuses bad combinations as usage errors (exit 2) before connecting', async () => {
    const cases: [string[], string][] = [
      [['--add', '--allow-principal', 'User:a', '--producer'], 'With --producer you must specify a --topic'],
      [['--add', '--allow-principal', 'User:a', '--consumer', '--topic', 't'], 'With --consumer you must specify a --topic and a --group'],
      [['--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match'], "A '--resource-pattern-type' value of 'match' is not valid when adding acls."],
      [['--add', '--topic', 't'], 'You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.'],
      [['--add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't'], "Unknown operation 'Fly'"],
      [['--add', '--allow-principal', 'User:a', '--operation', 'Write', '--group', 'g'], 'ResourceType GROUP only supports operations Read, Describe, Delete, All'],
      [['--add', '--allow-principal', 'alice', '--topic', 't'], 'Could not parse principal from `alice`'],
      [['--list', '--allow-principal', 'User:a'], 'Option "[list]" can\'t be used with option "[allow-principal]"'],
      [['--add', '--list'], 'Command must include exactly one action: --list, --add, --remove.'],
      [['--remove', '--topic', 'orders'], 'add --force to remove without asking'],
    ];
    for (const [args, message] of cases) {
      const r = await acls(...args);
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 2 });
      expect(r.stderr).toContain(message);
    }
  });

  it('removes with --force and reports what was removed', async () => {
    const r = await acls('--remove', '--force', '--topic', 'logs.', '--resource-pattern-type', 'prefixed', '-o', 'json');
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { removed: { name: string; acls: unknown[] }[]; resources: unknown[] };
    expect(doc.removed.map((x) => [x.name, x.acls.length])).toEqual([['logs.', 2]]);
    expect(doc.resources).toEqual([]);
    const left = await acls('--list', '-o', 'json');
    expect((JSON.parse(left.stdout) as { resources: { name: string }[] }).resources.map((x) => x.name)).toEqual(['orders']);
  });

  it('an --add that takes away the listing still shows what it added before the denial (exit 8)', async () => {
    const cluster = ['--cluster'];
    expect((await acls('--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Alter', ...cluster)).exitCode).toBe(0);
    try {
      const r = await acls('--bootstrap-server', bootstrap, '--add', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Describe', ...cluster);
      expect(r.exitCode, r.stderr).toBe(8);
      expect(r.stdout).toBe(
        'Adding ACLs for resource `ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)`: \n \t(principal=User:ANONYMOUS, host=*, operation=DESCRIBE, permissionType=DENY) \n\n',
      );
      expect(r.stderr).toContain('not authorized to list ACLs (DESCRIBE on the cluster) (CLUSTER_AUTHORIZATION_FAILED)');
    } finally {
      expect((await acls('--remove', '--force', ...cluster)).exitCode).toBe(0);
    }
  });

  it('names each resource and each ACL once, however many options name or match it (Kafka collects them into sets)', async () => {
    const dup = 'ResourcePattern(resourceType=TOPIC, name=dup, patternType=LITERAL)';
    const carol = '(principal=User:carol, host=*, operation=READ, permissionType=ALLOW)';
    try {
      const add = await acls('--add', '--allow-principal', 'User:carol', '--operation', 'Read', '--topic', 'dup', '--topic', 'dup');
      expect(add).toMatchObject({ exitCode: 0, stdout: `Adding ACLs for resource \`${dup}\`: \n \t${carol} \n\nCurrent ACLs for resource \`${dup}\`: \n \t${carol} \n\n` });
      const twice = await acls('--list', '--topic', 'dup', '--topic', 'dup', '-o', 'json');
      expect(twice.exitCode).toBe(0);
      expect(JSON.parse(twice.stdout)).toEqual({ resources: [{ resourceType: 'TOPIC', name: 'dup', patternType: 'LITERAL', acls: [{ principal: 'User:carol', host: '*', operation: 'READ', permissionType: 'ALLOW' }] }] });
      expect((await acls('--add', '--allow-principal', 'User:dave', '--operation', 'Read', '--topic', 'du', '--resource-pattern-type', 'prefixed')).exitCode).toBe(0);
      // Both filters match the PREFIXED `du` ACL: it is listed once.
      const match = await acls('--list', '--topic', 'dup', '--topic', 'dupX', '--resource-pattern-type', 'match');
      expect(match.exitCode).toBe(0);
      expect(match.stdout.match(/Current ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=du, patternType=PREFIXED\)`/g)).toHaveLength(1);
      expect(match.stdout.match(/principal=User:dave/g)).toHaveLength(1);
      expect(match.stdout.match(/principal=User:carol/g)).toHaveLength(1);
      const json = await acls('--list', '--topic', 'dup', '--topic', 'dupX', '--resource-pattern-type', 'match', '-o', 'json');
      const doc = JSON.parse(json.stdout) as { resources: { name: string; acls: unknown[] }[] };
      expect(doc.resources.map((x) => [x.name, x.acls.length]).sort()).toEqual([['du', 1], ['dup', 1]]);
    } finally {
      await acls('--remove', '--force', '--topic', 'dup');
      await acls('--remove', '--force', '--topic', 'du', '--resource-pattern-type', 'prefixed');
    }
  });

  it('warns that a host option without its kind of principal has no effect (Kafka ignores it in silence)', async () => {
    try {
      const r = await acls('--add', '--allow-principal', 'User:z', '--deny-host', '1.1.1.1', '--operation', 'Read', '--topic', 'zz');
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe('WARN --deny-host has no effect without --deny-principal (it names the hosts of the denied principals)\n');
      expect(r.stdout).toContain('(principal=User:z, host=*, operation=READ, permissionType=ALLOW)');
      expect(r.stdout).not.toContain('1.1.1.1');
      const allow = await acls('--add', '--deny-principal', 'User:y', '--allow-host', '2.2.2.2', '--operation', 'Read', '--topic', 'zz', '-o', 'json');
      expect(allow.exitCode).toBe(0);
      expect(allow.stderr).toBe('WARN --allow-host has no effect without --allow-principal (it names the hosts of the allowed principals)\n');
      expect(JSON.parse(allow.stdout).added).toEqual([{ resourceType: 'TOPIC', name: 'zz', patternType: 'LITERAL', acls: [{ principal: 'User:y', host: '*', operation: 'READ', permissionType: 'DENY' }] }]);
      const quiet = await acls('--add', '--allow-principal', 'User:z', '--allow-host', '3.3.3.3', '--operation', 'Read', '--topic', 'zz');
      expect(quiet).toMatchObject({ exitCode: 0, stderr: '' });
    } finally {
      await acls('--remove', '--force', '--topic', 'zz');
    }
  });

  it('a daemon refuses to start with an authorizer class kafka-ts does not have', async () => {
    const { dir, cleanup: done } = tempDir('kafka-ts-cli-acls-bad-');
    try {
      const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', dir, '--override', 'authorizer.class.name=com.example.Custom'], { home: dir });
      expect(r.exitCode).not.toBe(0);
      expect(`${r.stderr}${r.stdout}`).toContain('authorizer.class.name');
      expect(`${r.stderr}${r.stdout}`).toContain(STANDARD);
    } finally {
      await stopDaemon(dir);
      done();
    }
  });
});

describe('acls with three brokers', () => {
  it('survive a daemon restart and keep working after the controller broker stops', async () => {
    const { dir, cleanup: done } = tempDir('kafka-ts-cli-acls-3-');
    const k = (...args: string[]) => kafkaTs(args, { home: dir });
    try {
      const { bootstrap: bs } = await startDaemon(dir, ['--brokers', '3', '--override', `authorizer.class.name=${STANDARD}`]);
      expect((await k('topics', 'create', 'r3', '-r', '3')).exitCode).toBe(0);
      expect((await k('acls', '--add', '--allow-principal', 'User:ANONYMOUS', '--producer', '--topic', 'r3')).exitCode).toBe(0);
      expect((await kafkaTs(['console-producer', '--bootstrap-server', bs, '--topic', 'r3'], { home: dir, input: 'a\n' })).exitCode).toBe(0);

      await stopDaemon(dir);
      await startDaemon(dir, ['--brokers', '3', '--override', `authorizer.class.name=${STANDARD}`]);
      const status = JSON.parse((await k('server', 'status', '-o', 'json')).stdout) as { controllerId: number };
      const stopped = await k('server', 'stop-broker', String(status.controllerId));
      expect(stopped.exitCode, stopped.stderr).toBe(0);
      // The ACLs came back from disk and the new controller serves them and takes new ones.
      const added = await k('acls', '--add', '--allow-principal', 'User:ANONYMOUS', '--consumer', '--topic', 'r3', '--group', 'g3', '-o', 'json');
      expect(added.exitCode, added.stderr).toBe(0);
      const listed = JSON.parse(added.stdout) as { resources: { name: string; acls: unknown[] }[] };
      expect(listed.resources.map((x) => [x.name, x.acls.length]).sort()).toEqual([
        ['g3', 1],
        ['r3', 4],
      ]);
      const after = JSON.parse((await k('server', 'status', '-o', 'json')).stdout) as { listeners: string[] };
      const tcp = after.listeners.find((l) => l.startsWith('PLAINTEXT://'))!.slice('PLAINTEXT://'.length);
      const produced = await kafkaTs(['console-producer', '--bootstrap-server', tcp, '--topic', 'r3'], { home: dir, input: 'b\n' });
      expect(produced.exitCode, produced.stderr).toBe(0);
      const read = await k('console-consumer', '--bootstrap-server', tcp, '--topic', 'r3', '--group', 'g3', '--from-beginning', '--max-messages', '2', '--timeout-ms', '20000');
      expect(read.exitCode, read.stderr).toBe(0);
      expect(read.stdout.split('\n').filter(Boolean).sort()).toEqual(['a', 'b']);
    } finally {
      await stopDaemon(dir);
      done();
    }
  }, 120_000);
});
