/** kafka-ts configs: Kafka's --add-config grammar, option rules, SCRAM changes and layouts; passwords never in messages. */
import { describe, expect, it } from 'vitest';
import { describeResourceLines, describeUsersJson, describeUsersLines, parseAddConfig, parseDeleteConfig, userScramChanges } from '../../../src/tools/configs.js';
import { validate, type ConfigsOptions } from '../../../src/cli/flags/configs.js';
import { alterScramRequest } from '../../../src/client/scram-credentials.js';
import { KafkaProtocolError } from '../../../src/protocol/errors.js';
import { isKafkaTsError } from '../../../src/util/errors.js';
import { saltedPassword } from '../../../src/util/scram.js';

function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isKafkaTsError(e) && e.kind === 'usage') return e.message;
    throw e;
  }
  throw new Error('expected a usage error');
}

describe('parseAddConfig (Kafka grammar)', () => {
  it('splits at commas outside brackets and removes the brackets', () => {
    expect(parseAddConfig('SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=x]')).toEqual({
      'SCRAM-SHA-256': 'iterations=8192,password=alice-secret',
      'SCRAM-SHA-512': 'password=x',
    });
    expect(parseAddConfig('a = 1, b=[x,y] ,c=')).toEqual({ a: '1', b: 'x,y', c: '' });
  });

  it("refuses entries that are not key=val, and keys with other characters, in Kafka's words", () => {
    expect(usage(() => parseAddConfig('novalue'))).toMatch(/^Invalid entity config: all configs to be added must be in the format "key=val"/);
    expect(usage(() => parseAddConfig('a=b=c'))).toMatch(/^Invalid entity config/);
    expect(usage(() => parseAddConfig('bad key!=1'))).toBe('Invalid character found for config key: bad key!');
  });

  it("drops trailing empty entries as Java's String.split does; an empty one before another is refused", () => {
    expect(parseAddConfig('retention.ms=6000,')).toEqual({ 'retention.ms': '6000' });
    expect(parseAddConfig('a=1,b=[x,y],,')).toEqual({ a: '1', b: 'x,y' });
    expect(usage(() => parseAddConfig('a=1,,b=2'))).toMatch(/^Invalid entity config: all configs to be added/);
    expect(usage(() => parseAddConfig(',a=1'))).toMatch(/^Invalid entity config: all configs to be added/);
    expect(usage(() => parseAddConfig('a=1, '))).toMatch(/^Invalid entity config: all configs to be added/);
  });

  it('--delete-config takes comma-separated names, repeatable', () => {
    expect(parseDeleteConfig(['SCRAM-SHA-256, SCRAM-SHA-512', 'x'])).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512', 'x']);
    expect(parseDeleteConfig(undefined)).toEqual([]);
  });

  it("an empty --add-config or --delete-config is refused, not a change of nothing (Kafka's errors)", () => {
    for (const text of ['', ',', ',,']) expect(usage(() => parseAddConfig(text))).toMatch(/^Invalid entity config: all configs to be added must be in the format "key=val"/);
    for (const values of [[''], [','], ['', ' ']]) {
      expect(() => parseDeleteConfig(values)).toThrow(expect.objectContaining({ kind: 'failed', message: expect.stringMatching(/^Invalid config\(s\): '.*' \(--delete-config names no config\)$/) }));
    }
  });
});

describe('userScramChanges', () => {
  it('defaults iterations to 4096 and keeps them when given', () => {
    const c = userScramChanges('alice', parseAddConfig('SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=p,w]'), []);
    expect(c.upsertions).toEqual([
      { user: 'alice', mechanism: 'SCRAM-SHA-256', iterations: 8192, password: 'alice-secret' },
      { user: 'alice', mechanism: 'SCRAM-SHA-512', iterations: 4096, password: 'p,w' },
    ]);
    expect(userScramChanges('alice', {}, ['SCRAM-SHA-512']).deletions).toEqual([{ user: 'alice', mechanism: 'SCRAM-SHA-512' }]);
  });

  it('refuses bad credentials without quoting the password', () => {
    const msgs = [
      usage(() => userScramChanges('a', { 'SCRAM-SHA-256': 'iterations=100,password=hunter2' }, [])),
      usage(() => userScramChanges('a', { 'SCRAM-SHA-256': 'iterations=99999,password=hunter2' }, [])),
      usage(() => userScramChanges('a', { 'SCRAM-SHA-256': 'pass=hunter2' }, [])),
      usage(() => userScramChanges('a', { 'SCRAM-SHA-256': 'password=hunter2,iterations=8192' }, [])),
      usage(() => userScramChanges('a', { 'SCRAM-SHA-256': 'password=' }, [])),
    ];
    expect(msgs[0]).toBe('Iterations 100 is less than the minimum 4096 required for SCRAM-SHA-256');
    expect(msgs[1]).toBe('Iterations 99999 is more than the maximum 16384 allowed for SCRAM-SHA-256');
    for (const m of msgs) expect(m).not.toContain('hunter2');
  });

  it("refuses other configs in Kafka's words, the default user, and a mechanism both added and deleted", () => {
    expect(usage(() => userScramChanges('a', { 'SCRAM-SHA-1': 'password=x' }, []))).toBe(
      "Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: SCRAM-SHA-1",
    );
    expect(usage(() => userScramChanges('a', {}, ['foo']))).toBe("Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: foo");
    expect(usage(() => userScramChanges('', { 'SCRAM-SHA-256': 'password=x' }, []))).toBe('The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.');
    expect(usage(() => userScramChanges('a', { 'SCRAM-SHA-256': 'password=x' }, ['SCRAM-SHA-256']))).toContain('both added and deleted');
  });
});

describe('alterScramRequest', () => {
  it('sends a fresh salt and the salted password, never the password', () => {
    const req = alterScramRequest(
      [
        { user: 'alice', mechanism: 'SCRAM-SHA-256', iterations: 8192, password: 'alice-secret' },
        { user: 'alice', mechanism: 'SCRAM-SHA-512', iterations: 4096, password: 'alice-secret' },
      ],
      [{ user: 'bob', mechanism: 'SCRAM-SHA-512' }],
    );
    expect(req.deletions).toEqual([{ name: 'bob', mechanism: 2 }]);
    const [a, b] = req.upsertions;
    expect(a).toMatchObject({ name: 'alice', mechanism: 1, iterations: 8192 });
    expect(a!.salt.length).toBe(32);
    expect(a!.saltedPassword.equals(saltedPassword('SCRAM-SHA-256', 'alice-secret', a!.salt, 8192))).toBe(true);
    expect(b!.saltedPassword.equals(saltedPassword('SCRAM-SHA-512', 'alice-secret', b!.salt, 4096))).toBe(true);
    expect(a!.salt.equals(b!.salt)).toBe(false);
    expect(JSON.stringify(req)).not.toContain('alice-secret');
    expect(Buffer.concat([a!.saltedPassword, a!.salt]).includes(Buffer.from('alice-secret'))).toBe(false);
  });
});

describe('describe layout', () => {
  it("prints Kafka's line per user and the per-user errors", () => {
    const r = {
      users: [{ user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }, { mechanism: 'SCRAM-SHA-512', iterations: 4096 }] }],
      errors: [{ user: 'bob', error: new KafkaProtocolError(93, 'nope') }],
    };
    expect(describeUsersLines(r)).toEqual([
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096",
      "Error retrieving SCRAM credential configs for user-principal 'bob': UNACCEPTABLE_CREDENTIAL: nope",
    ]);
    expect(describeUsersJson(r)).toEqual({
      users: [{ user: 'alice', scramCredentials: r.users[0]!.credentials }],
      errors: [{ user: 'bob', error: 'UNACCEPTABLE_CREDENTIAL', message: 'nope' }],
    });
  });
});

describe('configs option rules', () => {
  const o = (x: Partial<ConfigsOptions>): ConfigsOptions => ({ output: 'text', ...x });
  it('accepts users by --entity-type/--entity-name and by --user', () => {
    expect(validate(o({ describe: true, entityType: ['users'] }))).toEqual({ action: 'describe', entityType: 'users', entityName: undefined, types: ['users'], names: [] });
    expect(validate(o({ alter: true, user: 'alice', deleteConfig: ['SCRAM-SHA-256'] }))).toEqual({ action: 'alter', entityType: 'users', entityName: 'alice', types: ['users'], names: ['alice'] });
  });

  it("gives Kafka's messages for bad combinations", () => {
    expect(usage(() => validate(o({ entityType: ['users'] })))).toBe('Command must include exactly one action: --describe, --alter');
    expect(usage(() => validate(o({ describe: true })))).toBe('At least one entity type must be specified');
    expect(usage(() => validate(o({ describe: true, entityType: ['users'], user: 'a' })))).toBe('Duplicate entity type(s) specified: users');
    expect(usage(() => validate(o({ describe: true, entityName: ['b'], user: 'a' })))).toBe('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
    expect(usage(() => validate(o({ describe: true, entityType: ['widgets'] })))).toMatch(/^Invalid entity type widgets, the entity type must be one of topics, clients, users/);
    expect(usage(() => validate(o({ alter: true, entityType: ['users'], addConfig: 'x=1' })))).toBe('An entity-name or default entity must be specified with --alter of users, clients, brokers or ips');
    expect(usage(() => validate(o({ alter: true, user: 'a' })))).toBe('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    expect(usage(() => validate(o({ alter: true, user: 'a', addConfig: 'x', addConfigFile: 'f' })))).toBe('Only one of --add-config or --add-config-file must be specified');
    expect(usage(() => validate(o({ alter: true, entityType: ['users', 'clients'], entityName: ['u'], addConfig: 'producer_byte_rate=1' })))).toBe('An entity name must be specified for every entity type');
  });

  it("takes client quota entities (users, clients, both, ips, defaults) with Kafka's checks", () => {
    expect(validate(o({ describe: true, client: 'c1' }))).toEqual({ action: 'describe', entityType: 'clients', entityName: 'c1', types: ['clients'], names: ['c1'] });
    expect(validate(o({ describe: true, entityType: ['users'], entityDefault: true }))).toEqual({ action: 'describe', entityType: 'users', entityName: '', types: ['users'], names: [''] });
    // Kafka's order of the shortcuts: the named entities' flags, then the defaults' flags.
    expect(validate(o({ alter: true, user: 'u', clientDefaults: true, addConfig: 'producer_byte_rate=1' }))).toMatchObject({ types: ['users', 'clients'], names: ['u', ''] });
    expect(validate(o({ alter: true, ipDefaults: true, addConfig: 'connection_creation_rate=1' }))).toMatchObject({ entityType: 'ips', entityName: '' });
    expect(validate(o({ describe: true, ip: '::1' }))).toMatchObject({ entityType: 'ips', entityName: '::1' });
    expect(usage(() => validate(o({ describe: true, ip: 'no.such.host' })))).toBe('The entity name for ips must be a valid IP or resolvable host, but it is: no.such.host');
    // Kafka's order: the ip check before the --alter checks.
    expect(usage(() => validate(o({ alter: true, ip: 'x' })))).toBe('The entity name for ips must be a valid IP or resolvable host, but it is: x');
    expect(usage(() => validate(o({ describe: true, entityType: ['clients', 'ips'] })))).toBe("Only 'users' and 'clients' entity types may be specified together");
    expect(usage(() => validate(o({ describe: true, client: 'c', all: true })))).toBe('--all can only be used with --describe of topics, brokers, broker-loggers, client-metrics and groups');
  });

  it("applies Kafka's rules for topics and brokers", () => {
    expect(validate(o({ describe: true, topic: 'orders' }))).toMatchObject({ action: 'describe', entityType: 'topics', entityName: 'orders' });
    expect(validate(o({ describe: true, entityType: ['brokers'], all: true }))).toMatchObject({ action: 'describe', entityType: 'brokers', entityName: undefined });
    expect(validate(o({ alter: true, brokerDefaults: true, addConfig: 'x=1' }))).toMatchObject({ action: 'alter', entityType: 'brokers', entityName: '' });
    expect(usage(() => validate(o({ alter: true, entityType: ['topics'], addConfig: 'x=1' })))).toBe('An entity name must be specified with --alter of topics');
    expect(usage(() => validate(o({ describe: true, entityType: ['topics'], entityDefault: true })))).toBe('--entity-default must not be specified with --describe of topics');
    expect(usage(() => validate(o({ describe: true, broker: 'one' })))).toBe('The entity name for brokers must be a valid integer broker id, but it is: one');
  });
});

describe('topic and broker layouts', () => {
  const entry = (name: string, value: string | null, source: number, synonyms: { name: string; value: string | null; source: number }[] = []) => ({
    name,
    value,
    source,
    isDefault: source === 5,
    isSensitive: value === null,
    readOnly: false,
    synonyms,
  });
  it("prints Kafka's header and entry lines, dynamic entries only unless --all", () => {
    const list = [
      {
        entity: 'orders',
        entries: [
          entry('segment.bytes', '1073741824', 5, [{ name: 'log.segment.bytes', value: '1073741824', source: 5 }]),
          entry('retention.ms', '1000', 1, [{ name: 'retention.ms', value: '1000', source: 1 }, { name: 'log.retention.ms', value: '604800000', source: 4 }]),
        ],
      },
    ];
    expect(describeResourceLines('topics', list, false)).toEqual([
      'Dynamic configs for topic orders are:',
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, STATIC_BROKER_CONFIG:log.retention.ms=604800000}',
    ]);
    expect(describeResourceLines('topics', list, true)[0]).toBe('All configs for topic orders are:');
    expect(describeResourceLines('topics', list, true)).toHaveLength(3);
    expect(describeResourceLines('brokers', [{ entity: '', entries: [entry('ssl.key.password', null, 3)] }], false)).toEqual([
      'Default configs for brokers in the cluster are:',
      '  ssl.key.password=null sensitive=true synonyms={}',
    ]);
  });
});
