// A kafkajs consumer-group member for the interop tests.
//   node kafkajs-group.cjs BOOTSTRAP GROUP TOPIC [--max N] [--idle-ms MS] [--security JSON]
// Prints {"e":"msg",p,o,v} per record, {"e":"commit",p,o} per committed offset and
// {"e":"assigned",partitions}; commits after each batch; leaves the group on SIGTERM.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = require('kafkajs');
const { securityOptions } = require('./kafkajs-security.cjs');

const [bootstrap, group, topic, ...rest] = process.argv.slice(2);
const opts = {};
for (let i = 0; i < rest.length; i += 2) opts[rest[i]] = rest[i + 1];
const max = Number(opts['--max'] ?? 0);
const idleMs = Number(opts['--idle-ms'] ?? 0);
const emit = (o) => process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);

(async () => {
  const kafka = new Kafka({ clientId: `kjs-${process.pid}`, brokers: [bootstrap], logLevel: logLevel.NOTHING, ...securityOptions(opts['--security']) });
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000, retry: { retries: 10 } });
  consumer.on(consumer.events.GROUP_JOIN, (e) => emit({ e: 'assigned', partitions: (e.payload.memberAssignment[topic] ?? []).sort((a, b) => a - b) }));
  consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
    for (const t of e.payload.topics) for (const p of t.partitions) emit({ e: 'commit', p: p.partition, o: Number(p.offset) });
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let last = Date.now();
  let done;
  const finished = new Promise((r) => (done = r));
  process.on('SIGTERM', () => done());
  await consumer.run({
    autoCommitThreshold: 1,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      for (const m of batch.messages) {
        emit({ e: 'msg', p: batch.partition, o: Number(m.offset), v: m.value.toString() });
        resolveOffset(m.offset);
        count++;
      }
      last = Date.now();
      await commitOffsetsIfNecessary();
      await heartbeat();
      if (max && count >= max) done();
    },
  });
  const idle = idleMs ? setInterval(() => Date.now() - last > idleMs && done(), 100) : null;
  await finished;
  if (idle) clearInterval(idle);
  await consumer.disconnect();
  emit({ e: 'closed' });
  // stdout into a pipe is asynchronous: exiting at once would drop whatever the reader has not
  // taken yet (records this member consumed and committed would look lost). Exit once it is out.
  process.stdout.write('', () => process.exit(0));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
