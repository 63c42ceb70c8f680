// A kafkajs 2.2.4 transaction (send, sendOffsets, commit) for scripts/capture-golden.mjs:
//   node scripts/capture-golden.mjs kafkajs-txn test/fixtures/golden -- node scripts/golden/kafkajs-txn.cjs {}
const { Kafka, logLevel } = require('kafkajs');
(async () => {
  const kafka = new Kafka({ brokers: [process.argv[2]], clientId: 'golden', logLevel: logLevel.NOTHING });
  const admin = kafka.admin(); await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'gold', numPartitions: 2 }] }); await admin.disconnect();
  const p = kafka.producer({ transactionalId: 'gold-tx', maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  const t = await p.transaction();
  await t.send({ topic: 'gold', messages: [{ key: 'k', value: 'v', partition: 0 }] });
  await t.sendOffsets({ consumerGroupId: 'gold-group', topics: [{ topic: 'gold', partitions: [{ partition: 0, offset: '1' }] }] });
  await t.commit();
  await p.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
