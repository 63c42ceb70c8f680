/** The man page of kafka-ts dump-log (kafka-ts-dump-log(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "print what is in a partition's segment files: batches, records, index entries (kafka-dump-log.sh)",
  synopsis: [
    '--files FILE[,FILE...] [--deep-iteration] [--print-data-log] [--skip-record-metadata] [--max-bytes N] [--output json]',
    '--files SEGMENT.log --print-data-log [--decoder string|hex|base64|json|int|long | --key-decoder-class C --value-decoder-class C | --offsets-decoder]',
    '--files SEGMENT.index,SEGMENT.timeindex [--verify-index-only | --index-sanity-check]',
    'FILE...',
  ],
  description: [
    "Reads a partition's segment files offline, read-only, with kafka-dump-log.sh's options and layouts (Kafka's DumpLogSegments): a daemon need not run, and the active segment of a running one can be read. Files come from --files (comma-separated) or as arguments; each is introduced by \"Dumping FILE\".",
    'A .log file prints \"Log starting offset: N\" and one line per batch: \"baseOffset: 0 lastOffset: 2 count: 3 baseSequence: 0 lastSequence: 2 producerId: 0 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: 99 magic: 2 compresscodec: lz4 crc: 2512034478 isvalid: true\". Compressed batches (gzip, snappy, lz4, zstd) are decompressed for their records. --deep-iteration adds a line per record, \"| offset: 0 CreateTime: 1700000000000 keySize: 1 valueSize: 5 sequence: 0 headerKeys: []\"; --print-data-log (or any decoder option) adds \" key: k payload: hello\" to it. --skip-record-metadata leaves only \"| key: k payload: hello\". --max-bytes N stops before the first batch that does not end within the first N bytes.',
    "Keys and payloads are printed as UTF-8 text by default. --decoder string|hex|base64|json|int|long chooses for both (json prints valid JSON compactly and anything else as text; int and long read 4- and 8-byte big-endian numbers); --key-decoder-class and --value-decoder-class take Kafka's decoder classes (org.apache.kafka.tools.api.StringDecoder, DefaultDecoder as hex, IntegerDecoder, LongDecoder, and their deprecated kafka.serializer names) or the same names. --offsets-decoder reads __consumer_offsets segments: keys as {\"type\":\"1\",\"data\":{\"group\":\"g\",\"topic\":\"t\",\"partition\":0}}, values as {\"version\":\"3\",\"data\":{\"offset\":42,\"leaderEpoch\":-1,\"metadata\":\"\",\"commitTimestamp\":1700000000000}}, group metadata with the consumer protocol's subscriptions and assignments decoded, tombstones as <DELETE>.",
    "A .index file prints \"offset: N position: P\" per entry and a .timeindex \"timestamp: T offset: N\"; each entry is checked against the segment's .log beside it (the batch at the position must end at the offset; the batch ending at a time-index offset must have that largest timestamp), and disagreements are reported on stderr at the end as Kafka does (\"Mismatches in :FILE\" then \"  Index offset: N, log offset: M\"; \"Found timestamp mismatch in :FILE\"; \"The following indexed offsets are not found in the log.\"). --verify-index-only checks without printing the entries; --index-sanity-check only runs the start-up check (\"FILE passed sanity check.\"). An empty index prints \"FILE is empty.\"; a .txnindex prints its aborted-transaction entries. Other files are skipped with \"Ignoring unknown file FILE\" on stderr.",
    "Damage does not stop the dump. A batch whose CRC does not match prints isvalid: false and the dump goes on after it; a header that cannot be a batch (a bad length or magic byte) is skipped up to the next position where a whole batch with a valid CRC starts; a batch cut short at the end of the file prints Kafka's \"Found N invalid bytes at the end of FILE\". Each problem is also one line on stderr at the end, \"FILE: position P: what\" (CRC mismatch: stored X, computed Y; bad magic M; truncated batch; records that cannot be decoded; an index whose size is not a whole number of entries).",
    'With --output json: one document, {\"files\":[{\"file\",\"kind\":\"log\",\"baseOffset\",\"batches\":[{...the batch fields, \"records\":[{\"offset\",\"timestampType\",\"timestamp\",\"keySize\",\"valueSize\",\"sequence\",\"headerKeys\",\"key\",\"payload\"}]}],\"entries\":[{\"offset\",\"position\"}],\"notes\":[]}],\"damaged\":false,\"problems\":[{\"file\",\"position\",\"message\"}],\"findings\":{\"index-mismatch\":[{\"file\",\"pairs\":[[indexOffset,logOffset]]}]},\"ignored\":[]}.',
  ],
  examples: [
    ['The batches of a segment', 'kafka-ts dump-log --files ~/.kafka-ts/data/orders-0/00000000000000000000.log'],
    ['Every record with its key and payload', 'kafka-ts dump-log --print-data-log --files ~/.kafka-ts/data/orders-0/00000000000000000000.log'],
    ['Committed offsets and group metadata', 'kafka-ts dump-log --offsets-decoder --files ~/.kafka-ts/data/__consumer_offsets-12/00000000000000000000.log'],
    ["Check a segment's indexes against it", 'kafka-ts dump-log --verify-index-only --files 00000000000000000000.index,00000000000000000000.timeindex'],
  ],
  exits: ['Failure', 'NotFound'],
  exitNotes: [
    '1 when anything read was damaged or inconsistent: a CRC mismatch, a bad batch header, a truncated batch or index, records that cannot be decoded, an index entry that does not match its log; everything readable is still printed. 4 when a named file does not exist, 2 for a directory instead of a file, bad option values and the refused decoders (nothing is printed for those).',
  ],
  differences: [
    "Exits 1 when it finds damage (Kafka: 0); a missing file or a directory is one line and exit 4 or 2 before anything is printed (Kafka: a stack trace). Damage is located and skipped rather than ending the dump. DefaultDecoder prints the bytes as hex (Kafka prints the array's identity). --transaction-log-decoder, --cluster-metadata-decoder, --remote-log-metadata-decoder and --share-group-state-decoder are refused (exit 2): kafka-ts has no transactions, tiered storage or share groups, and keeps its cluster metadata in its own JSON files (meta/metadata.log, meta/snapshot.json). .snapshot files (kafka-ts's own producer-state format) and KRaft .checkpoint files are skipped.",
  ],
};
