// Produces and consumes continuously with kafkajs for the failover tests.
//   node failover-kafkajs.cjs BOOTSTRAP TOPIC [plain|idempotent]
// Produces numbered records (acks=-1) and consumes the topic in a consumer group from the
// beginning until "stop" arrives on stdin; then waits until everything acknowledged was read.
// Prints {"acked":N,"consumed":M} every 200 ms, then {"done":true,"acked":[...],"consumed":[...],"errors":[...]}.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, mode] = process.argv.slice(2);
  const kafka = new Kafka({ clientId: 'failover-kafkajs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const acked = [];
  const consumed = [];
  const errors = [];
  let stop = false;
  process.stdin.on('data', (d) => {
    if (d.toString().includes('stop')) stop = true;
  });
  process.stdin.on('end', () => (stop = true));
  const consumer = kafka.consumer({ groupId: `failover-${Date.now()}`, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 100, retry: { retries: 20 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void consumed.push(Number(message.value.toString())) });
  const idempotent = mode === 'idempotent';
  const producer = kafka.producer({ idempotent, maxInFlightRequests: idempotent ? 1 : undefined, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  const progress = setInterval(() => console.log(JSON.stringify({ acked: acked.length, consumed: consumed.length, errors: errors.length })), 200);
  let n = 0;
  while (!stop) {
    const batch = Array.from({ length: 5 }, () => ({ value: String(n++) }));
    try {
      await producer.send({ topic, acks: -1, messages: batch });
      for (const m of batch) acked.push(Number(m.value));
    } catch (e) {
      errors.push(String(e && e.message));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const want = new Set(acked);
  const deadline = Date.now() + 60_000;
  const missing = () => {
    const got = new Set(consumed);
    return [...want].some((v) => !got.has(v));
  };
  while (Date.now() < deadline && missing()) await new Promise((r) => setTimeout(r, 100));
  clearInterval(progress);
  await producer.disconnect();
  await consumer.disconnect();
  console.log(JSON.stringify({ done: true, acked, consumed, errors: errors.slice(0, 5) }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
