// Drives kafkajs from the interop tests.
//   node kafkajs-client.cjs admin BOOTSTRAP TOPIC PARTITIONS   -> JSON with the admin results
//   node kafkajs-client.cjs produce BOOTSTRAP TOPIC COUNT       -> "acked N" (acks -1, gzip)
//   node kafkajs-client.cjs produce-oversized BOOTSTRAP TOPIC COUNT
//     -> JSON {acked, failed}: an idempotent producer sends COUNT small records (kafkajs-N) in
//        sends of 500 and, halfway, one 2 MB record in a send of its own
//   node kafkajs-client.cjs check BOOTSTRAP
//     -> "ok N" (topics listed), or the client's error on stderr and exit status 3
// KAFKA_INTEROP_SECURITY adds TLS/SASL (kafkajs-security.cjs).
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');
const { securityOptions } = require('./kafkajs-security.cjs');

async function main() {
  const [cmd, bootstrap, topic, arg] = process.argv.slice(2);
  const retry = cmd === 'check' ? { retries: 1, initialRetryTime: 100 } : { retries: 5 };
  const kafka = new Kafka({ clientId: 'interop-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry, connectionTimeout: 5000, ...securityOptions() });
  if (cmd === 'check') {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      await admin.disconnect();
      console.log(`ok ${topics.length}`);
    } catch (e) {
      console.error(`error: ${e.name}: ${e.message}`);
      process.exit(3);
    }
    return;
  }
  if (cmd === 'admin') {
    const admin = kafka.admin();
    await admin.connect();
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: Number(arg) }], waitForLeaders: true });
    const again = await admin.createTopics({ topics: [{ topic }] });
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.createTopics({ topics: [{ topic: `${topic}-doomed` }] });
    await admin.deleteTopics({ topics: [`${topic}-doomed`] });
    const listed = await admin.listTopics();
    await admin.disconnect();
    console.log(JSON.stringify({ created, again, partitions: md.topics[0].partitions.map((p) => p.partitionId).sort(), offsets, doomedListed: listed.includes(`${topic}-doomed`), listed: listed.includes(topic) }));
    return;
  }
  if (cmd === 'produce') {
    const producer = kafka.producer();
    await producer.connect();
    const count = Number(arg);
    let acked = 0;
    for (let start = 0; start < count; start += 500) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 500); i++) {
        messages.push({ key: `kafkajs-key-${i}`, value: `kafkajs-value-${i}-\u00e9`, headers: { h1: 'v1', src: 'kafkajs' } });
      }
      const res = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
      if (res.some((r) => r.errorCode !== 0)) throw new Error(JSON.stringify(res));
      acked += messages.length;
    }
    await producer.disconnect();
    console.log(`acked ${acked}`);
    return;
  }
  if (cmd === 'produce-oversized') {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const count = Number(arg);
    let acked = 0;
    const failed = [];
    const send = async (messages) => {
      try {
        await producer.send({ topic, acks: -1, messages });
        acked += messages.length;
      } catch (e) {
        failed.push(`${messages.length} records: ${e.name}: ${e.message}`);
      }
    };
    for (let start = 0; start < count; start += 500) {
      if (start === Math.floor(count / 1000) * 500) await send([{ value: 'x'.repeat(2 * 1024 * 1024) }]);
      const messages = [];
      for (let i = start; i < Math.min(count, start + 500); i++) messages.push({ value: `kafkajs-${i}` });
      await send(messages);
    }
    await producer.disconnect();
    console.log(JSON.stringify({ acked, failed }));
    return;
  }
  throw new Error(`unknown command ${cmd}`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
