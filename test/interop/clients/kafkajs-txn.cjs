// Transactions with kafkajs for the interop tests.
//   node kafkajs-txn.cjs commit-abort BOOTSTRAP TOPIC GROUP SOURCE TXN_ID
//     one transaction sends 3 records to each of partitions 0, 1, 2 of TOPIC plus offsets
//     (SOURCE partition 0 at 5) for GROUP and commits; a second one sends "a-" records and
//     offsets 9 and aborts. Prints JSON {committed, aborted}: the values of each.
//   node kafkajs-txn.cjs fence BOOTSTRAP TOPIC TXN_ID
//     producer A begins a transaction and sends; producer B with the same id starts; A's commit
//     then fails. Prints JSON {name, type, message} of A's error.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [cmd, bootstrap, topic, ...rest] = process.argv.slice(2);
  const kafka = new Kafka({ clientId: 'interop-kafkajs-txn', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 }, connectionTimeout: 5000 });
  const txProducer = (id) => kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
  if (cmd === 'commit-abort') {
    const [group, source, txnId] = rest;
    const producer = txProducer(txnId);
    await producer.connect();
    const out = { committed: [], aborted: [] };
    for (const [prefix, offset, commit] of [['c', '5', true], ['a', '9', false]]) {
      const txn = await producer.transaction();
      for (let p = 0; p < 3; p++) {
        const messages = [0, 1, 2].map((i) => ({ value: `${prefix}-${p}-${i}`, partition: p }));
        await txn.send({ topic, messages });
        (commit ? out.committed : out.aborted).push(...messages.map((m) => m.value));
      }
      await txn.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset }] }] });
      if (commit) await txn.commit();
      else await txn.abort();
    }
    await producer.disconnect();
    console.log(JSON.stringify(out));
    return;
  }
  if (cmd === 'fence') {
    const [txnId] = rest;
    const a = txProducer(txnId);
    await a.connect();
    const ta = await a.transaction();
    await ta.send({ topic, messages: [{ value: 'from-a', partition: 0 }] });
    const b = txProducer(txnId);
    await b.connect();
    const tb = await b.transaction();
    await tb.send({ topic, messages: [{ value: 'from-b', partition: 0 }] });
    await tb.commit();
    let error = null;
    try {
      await ta.commit();
    } catch (e) {
      error = { name: e.name, type: e.type ?? null, message: e.message };
    }
    await Promise.allSettled([a.disconnect(), b.disconnect()]);
    console.log(JSON.stringify(error));
    return;
  }
  throw new Error(`unknown command ${cmd}`);
}

main().catch((e) => {
  console.error(`error: ${e.name}: ${e.message}`);
  process.exit(1);
});
