/**
 * console-consumer started before its topic exists: subscribing (--topic or --include, with or
 * without --group) waits for it as Kafka's consumer does, asking the broker to create a topic
 * named by --topic unless allow.auto.create.topics=false, and reads it once it is there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon, untilStderr } from '../helpers/cli.js';

const WAIT = (t: string) => `WARN Topic ${t} does not exist (UNKNOWN_TOPIC_OR_PARTITION): waiting for it to be created`;
/** Every consumer here ends by itself within this long when nothing comes (the test's deadline). */
const DEADLINE_MS = '30000';

let auto: { home: string; cleanup: () => void };
let noAuto: { home: string; cleanup: () => void; bootstrap: string };

beforeAll(async () => {
  const a = tempDir('kafka-ts-wait-auto-');
  auto = { home: a.dir, cleanup: a.cleanup };
  await startDaemon(auto.home);
  const n = tempDir('kafka-ts-wait-noauto-');
  noAuto = { home: n.dir, cleanup: n.cleanup, bootstrap: (await startDaemon(n.dir, ['--override', 'auto.create.topics.enable=false'])).bootstrap };
});
afterAll(async () => {
  await stopDaemon(auto.home);
  await stopDaemon(noAuto.home);
  auto.cleanup();
  noAuto.cleanup();
});

const topicsOf = async (home: string) => (await kafkaTs(['topics', '--list'], { home })).stdout.split('\n');

/** Resolves once `topic` exists on the daemon in `home`, or fails after 20 s. */
async function untilTopic(home: string, topic: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await topicsOf(home)).includes(topic)) {
    if (Date.now() > deadline) throw new Error(`topic ${topic} was never created`);
  }
}

describe('console-consumer started before its topic exists', () => {
  it('with the broker creating topics: the consumer creates it (no waiting line) and prints what is produced next, without and with --group', async () => {
    const plain = spawnKafkaTs(['console-consumer', '--topic', 'later-topic', '--max-messages', '1', '--timeout-ms', DEADLINE_MS], auto.home);
    const grouped = spawnKafkaTs(['console-consumer', '--topic', 'later-grouped', '--group', 'later-g', '--from-beginning', '--max-messages', '1', '--timeout-ms', DEADLINE_MS], auto.home);
    // Created by the consumers' own metadata requests (allow.auto.create.topics=true), before anything is produced.
    await untilTopic(auto.home, 'later-topic');
    await untilTopic(auto.home, 'later-grouped');
    expect((await kafkaTs(['console-producer', '--topic', 'later-topic'], { home: auto.home, input: 'first\n' })).exitCode).toBe(0);
    expect((await kafkaTs(['console-producer', '--topic', 'later-grouped'], { home: auto.home, input: 'grouped\n' })).exitCode).toBe(0);
    expect(await plain).toMatchObject({ exitCode: 0, stdout: 'first\n', stderr: 'Processed a total of 1 messages\n' });
    expect(await grouped).toMatchObject({ exitCode: 0, stdout: 'grouped\n', stderr: 'Processed a total of 1 messages\n' });
  });

  it('--include waits (one line) for a matching topic and reads it', async () => {
    const c = spawnKafkaTs(['console-consumer', '--include', 'later2.*', '--max-messages', '1', '--timeout-ms', DEADLINE_MS], auto.home);
    await untilStderr(c, 'waiting for one to be created');
    expect((await kafkaTs(['console-producer', '--topic', 'later2-x'], { home: auto.home, input: 'matched\n' })).exitCode).toBe(0);
    expect(await c).toMatchObject({ exitCode: 0, stdout: 'matched\n', stderr: "WARN No topic matches --include 'later2.*': waiting for one to be created\nProcessed a total of 1 messages\n" });
  });

  it('with broker auto-creation off: it says once that it waits, and reads the topic once topics --create made it (with and without --group)', async () => {
    const home = noAuto.home;
    const plain = spawnKafkaTs(['console-consumer', '--bootstrap-server', noAuto.bootstrap, '--topic', 'made-later', '--max-messages', '1', '--timeout-ms', DEADLINE_MS], home);
    const grouped = spawnKafkaTs(['console-consumer', '--bootstrap-server', noAuto.bootstrap, '--topic', 'made-later-g', '--group', 'made-g', '--from-beginning', '--max-messages', '1', '--timeout-ms', DEADLINE_MS], home);
    // Both watched from now: a line written before its listener is attached would be missed.
    await Promise.all([untilStderr(plain, WAIT('made-later')), untilStderr(grouped, WAIT('made-later-g'))]);
    expect(await topicsOf(home)).not.toContain('made-later');
    for (const t of ['made-later', 'made-later-g']) {
      expect((await kafkaTs(['topics', '--create', '--topic', t, '--bootstrap-server', noAuto.bootstrap], { home })).exitCode).toBe(0);
      expect((await kafkaTs(['console-producer', '--topic', t, '--bootstrap-server', noAuto.bootstrap], { home, input: `${t}-record\n` })).exitCode).toBe(0);
    }
    // One line however long it waited (it looks every few hundred ms).
    expect(await plain).toMatchObject({ exitCode: 0, stdout: 'made-later-record\n', stderr: `${WAIT('made-later')}\nProcessed a total of 1 messages\n` });
    expect(await grouped).toMatchObject({ exitCode: 0, stdout: 'made-later-g-record\n', stderr: `${WAIT('made-later-g')}\nProcessed a total of 1 messages\n` });
  });

  it('allow.auto.create.topics=false does not create the topic; --timeout-ms ends the wait with exit 0', async () => {
    for (const extra of [[], ['--group', 'no-create-g']]) {
      const r = await kafkaTs(['console-consumer', '--topic', 'not-created', '--consumer-property', 'allow.auto.create.topics=false', '--timeout-ms', '1500', ...extra], { home: auto.home });
      expect(r).toEqual({ exitCode: 0, stdout: '', stderr: `${WAIT('not-created')}\nProcessed a total of 0 messages\n` });
    }
    expect(await topicsOf(auto.home)).not.toContain('not-created');
  });

  it('a topic the broker refuses ends the read at once instead of a wait: an invalid name, one not authorized (without and with --group)', async () => {
    for (const extra of [[], ['--group', 'bad-name-g']]) {
      const r = await kafkaTs(['console-consumer', '--topic', 'bad name!', '--timeout-ms', DEADLINE_MS, ...extra], { home: auto.home });
      expect(r).toMatchObject({ exitCode: 1, stdout: '' });
      expect(r.stderr).toContain('Invalid topics: [bad name!] (INVALID_TOPIC_EXCEPTION)');
      expect(r.stderr).not.toContain('waiting');
    }
    const { dir: home, cleanup } = tempDir('kafka-ts-wait-acl-');
    try {
      const { bootstrap } = await startDaemon(home, ['--override', 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer', '--override', 'allow.everyone.if.no.acl.found=false']);
      // Made over the daemon's own socket; the TCP client is ANONYMOUS, allowed only its group.
      expect((await kafkaTs(['topics', '--create', '--topic', 'secret'], { home })).exitCode).toBe(0);
      expect((await kafkaTs(['acls', '--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Read', '--group', 'acl-g'], { home })).exitCode).toBe(0);
      for (const extra of [[], ['--group', 'acl-g']]) {
        const r = await kafkaTs(['console-consumer', '--bootstrap-server', bootstrap, '--topic', 'secret', '--timeout-ms', DEADLINE_MS, ...extra], { home });
        expect(r).toMatchObject({ exitCode: 8, stdout: '' });
        expect(r.stderr).toContain('not authorized to describe topic secret');
        expect(r.stderr).not.toContain('waiting');
      }
    } finally {
      await stopDaemon(home);
      cleanup();
    }
  });
});
