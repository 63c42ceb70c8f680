#!/usr/bin/env node
// kafka-ts benchmarks, each measured side by side with a peer in the same run.
//
//   npm run bench                 every suite
//   npm run bench -- broker       produce/fetch throughput with kcat vs raw fs.writeSync appends
//   npm run bench -- cli          console-producer/consumer vs kcat; topics --list vs node -e 0
//   npm run bench -- startup      each short command (topics, consumer-groups, get-offsets, configs, cluster) vs node -e 0 and a bare ApiVersions script
//   npm run bench -- groups       group stabilisation time; console-consumer --group vs kcat -G
//   npm run bench -- lag          lag watcher refresh over 50 groups x 100 partitions
//   npm run bench -- replication  acks=all RF 3 vs RF 1 produce with kcat; reassignment copy rate vs file copy
//   npm run bench -- compaction   one cleaner pass over keyed 1 KiB records vs copying the segment files
//   npm run bench -- producer-state  idempotent-producer state after a restart: from the log vs from its snapshot
//   npm run bench -- security     kcat produce/fetch and topics --list over SASL_SSL vs PLAINTEXT on one daemon
//   npm run bench -- metadata     10,000 topics created in batches of 100: total, one more, event-loop stalls, restart after SIGKILL
//   npm run bench -- perf         producer-/consumer-perf-test vs kcat; e2e-latency vs librdkafka
//   npm run bench -- schema-registry  registrations/s and lookups/s by id against a bare node:http server
//   npm run bench -- schema-formats  console tools: Avro / JSON Schema vs plain JSON strings, produce and consume
//   npm run bench -- durable      flush.messages=1 acks=all, 8 librdkafka producers of 1 KiB vs raw append + fdatasync at the same batch size
//   npm run bench -- latency      end-to-end latency librdkafka -> daemon -> librdkafka at 1,000 and 20,000 rec/s (p50/p99/max, split at the log append), beside the same stamps through a bare relay (the floor)
//   npm run bench -- transactions  transactional produce (transactions of 1,000) vs idempotent; read_committed vs read_uncommitted fetch
//   npm run bench -- scale        1,000 partitions / 50 producers vs 1; 10,000-partition start and idle CPU; 1,000 idle connections; a slow reader
//   npm run bench -- speed        issue 17's one table: every figure beside its peer, target, ratio (bench/results/speed.md)
//   npm run bench -- streams      kafka-ts streams filter / count vs a consume→produce loop on src/client; restoration from the changelog
//   npm run bench -- soak         daemon RSS and ApiVersions latency under 200 busy connections (--seconds, --connections)
//
// Results are printed as tables and written to bench/results/<suite>.json. Sizes can be scaled
// with BENCH_SCALE (e.g. BENCH_SCALE=0.2 for a quick run).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

// NODE_EXTRA_CA_CERTS makes Node read and parse that certificate file at every start (50-90 ms
// on the 2-core machine whose environment sets it), before any of kafka-ts's code runs. Every
// Node process measured here (kafka-ts and its Node peers: node -e 0, the bare scripts) would pay
// it, which hides kafka-ts's own start-up in a constant of the machine's; the benchmarks run
// without it, as on a machine that does not set it.
if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
  delete process.env.NODE_EXTRA_CA_CERTS;
  console.log('note: NODE_EXTRA_CA_CERTS is unset for the benchmarks (Node reads that file at every start)');
}
const suites = {
  broker: () => import('./broker.js'),
  cli: () => import('./cli.js'),
  startup: () => import('./startup.js'),
  groups: () => import('./groups.js'),
  lag: () => import('./lag.js'),
  replication: () => import('./replication.js'),
  compaction: () => import('./compaction.js'),
  'producer-state': () => import('./producer-state.js'),
  security: () => import('./security.js'),
  metadata: () => import('./metadata.js'),
  soak: () => import('./soak.js'),
  perf: () => import('./perf.js'),
  'schema-registry': () => import('./schema-registry.js'),
  'schema-formats': () => import('./schema-formats.js'),
  durable: () => import('./durable.js'),
  latency: () => import('./latency.js'),
  transactions: () => import('./transactions.js'),
  scale: () => import('./scale.js'),
  streams: () => import('./streams.js'),
  // Last: the one table of issue 17 (reuses the results of the suites above that it lists).
  speed: () => import('./speed.js'),
};

// --help: the usage lines at the top of this file.
if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  const head = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  console.log(head.slice(1, head.findIndex((l) => l.startsWith('import '))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n').trim());
  process.exit(0);
}

// Suite names; a flag's value (`--seconds 20`) is not one.
const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !(all[i - 1]?.startsWith('--') && /^\d/.test(a)));
const names = wanted.length ? wanted : Object.keys(suites);
for (const n of names) {
  if (!suites[n]) {
    console.error(`unknown suite '${n}' (known: ${Object.keys(suites).join(', ')})`);
    process.exit(2);
  }
}
mkdirSync(join(here, 'results'), { recursive: true });
const previous = {};
for (const n of names) {
  console.log(`\n=== ${n} ===`);
  const mod = await suites[n]();
  const result = await mod.run({ previous });
  previous[n] = result;
  writeFileSync(join(here, 'results', `${n}.json`), `${JSON.stringify({ suite: n, date: new Date().toISOString(), ...result }, null, 2)}\n`);
}
