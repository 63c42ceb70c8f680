// Transactions (issue 16), each measured against its non-transactional peer in the same run:
//  - produce: kafka-ts's producer sending 100 B records in transactions of 1,000 records
//    (begin, 1,000 sends, commit) vs the same producer idempotent without transactions
//    (target: transactional >= 0.7x);
//  - fetch: kcat reading the committed transactional topic with isolation.level=read_committed
//    vs read_uncommitted (target: >= 0.9x).
// Runs alternate (idempotent, transactional, idempotent, ...) and the median of each is reported.
import { join } from 'node:path';
import { fmt, median, requireKcat, ROOT, SCALE, startDaemon, table, timed } from './lib.js';

const RECORDS = Math.max(10_000, Math.round(200_000 * SCALE));
const TXN_SIZE = 1000;
const ROUNDS = 3;

export async function run() {
  requireKcat();
  const { KafkaClient, parseBootstrap } = await import(join(ROOT, 'dist/src/client/client.js'));
  const { Producer } = await import(join(ROOT, 'dist/src/client/producer/producer.js'));
  const daemon = startDaemon();
  const value = Buffer.alloc(100, 'x');
  try {
    const client = new KafkaClient({ bootstrap: parseBootstrap(daemon.bootstrap), clientId: 'bench-transactions' });
    const { kafkaTs } = await import('./lib.js');
    for (const t of ['bench-idem', 'bench-txn']) kafkaTs(['topics', 'create', t, '-p', '3'], daemon.home);

    const produce = async (topic, transactional, round) => {
      const producer = new Producer(client, transactional ? { transactionalId: `bench-txn-${round}`, lingerMs: 5 } : { idempotent: true, lingerMs: 5 });
      if (transactional) await producer.initTransactions();
      const start = process.hrtime.bigint();
      for (let i = 0; i < RECORDS; i++) {
        if (transactional && i % TXN_SIZE === 0) producer.beginTransaction();
        producer.append({ topic, value });
        if (transactional && (i + 1) % TXN_SIZE === 0) await producer.commitTransaction();
        else if (producer.outstanding >= 50_000) await producer.waitForRoom(25_000);
      }
      if (transactional && RECORDS % TXN_SIZE !== 0) await producer.commitTransaction();
      await producer.flush();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (producer.stats.failed > 0) throw new Error(`${producer.stats.failed} records failed`);
      await producer.close();
      return RECORDS / seconds;
    };
    const idem = [];
    const txn = [];
    for (let r = 0; r < ROUNDS; r++) {
      idem.push(await produce('bench-idem', false, r));
      txn.push(await produce('bench-txn', true, r));
    }
    await client.close();

    // Fetch: the transactional topic (ROUNDS x RECORDS records and their markers), read to the end.
    const total = ROUNDS * RECORDS;
    const read = async (isolation) => {
      const { seconds } = await timed('kcat', ['-C', '-b', daemon.bootstrap, '-t', 'bench-txn', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%o\n']);
      return total / seconds;
    };
    const committed = [];
    const uncommitted = [];
    for (let r = 0; r < ROUNDS; r++) {
      uncommitted.push(await read('read_uncommitted'));
      committed.push(await read('read_committed'));
    }

    const rows = [
      { measure: `produce ${fmt(RECORDS)} x 100 B, idempotent`, 'records/s': fmt(median(idem)), ratio: '1.00' },
      { measure: `produce, transactions of ${TXN_SIZE}`, 'records/s': fmt(median(txn)), ratio: (median(txn) / median(idem)).toFixed(2) },
      { measure: `fetch ${fmt(total)} (kcat), read_uncommitted`, 'records/s': fmt(median(uncommitted)), ratio: '1.00' },
      { measure: 'fetch (kcat), read_committed', 'records/s': fmt(median(committed)), ratio: (median(committed) / median(uncommitted)).toFixed(2) },
    ];
    table(rows);
    return {
      records: RECORDS,
      transactionSize: TXN_SIZE,
      produce: { idempotent: median(idem), transactional: median(txn), ratio: median(txn) / median(idem), target: 0.7 },
      fetch: { readUncommitted: median(uncommitted), readCommitted: median(committed), ratio: median(committed) / median(uncommitted), target: 0.9 },
    };
  } finally {
    daemon.stop();
  }
}
