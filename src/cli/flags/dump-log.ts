/**
 * kafka-ts dump-log (kafka-dump-log.sh): its options, and how they become the tool's options.
 * Everything is checked before any file is read: bad values, refused decoders, and files that
 * are missing or are directories.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../errors.js';
import { requireInt } from '../context.js';
import { decoderOf, payloadParser, type DumpLogOptions } from '../../tools/dump-log.js';

export interface DumpLogFlags {
  files?: string;
  printDataLog?: boolean;
  deepIteration?: boolean;
  verifyIndexOnly?: boolean;
  indexSanityCheck?: boolean;
  maxMessageSize?: string;
  maxBytes?: string;
  keyDecoderClass?: string | boolean;
  valueDecoderClass?: string | boolean;
  decoder?: string;
  offsetsDecoder?: boolean;
  transactionLogDecoder?: boolean;
  clusterMetadataDecoder?: boolean;
  remoteLogMetadataDecoder?: boolean;
  shareGroupStateDecoder?: boolean;
  skipRecordMetadata?: boolean;
  output: 'text' | 'json';
}

const INT_MAX = 2147483647;

export function addFlags(cmd: Command): void {
  cmd
    .argument('[file...]', 'files to dump (the same as --files)')
    .option('--files <file1,file2>', 'REQUIRED (or as arguments): the comma-separated .log, .index, .timeindex and .txnindex files to dump')
    .option('--print-data-log', 'print keys and payloads (implies --deep-iteration; set by any decoder option)')
    .option('--deep-iteration', 'print every record, not only batches')
    .option('--verify-index-only', 'check an index against its log without printing its entries')
    .option('--index-sanity-check', 'only run the check a broker runs on start-up before trusting an index')
    .option('--max-message-size <size>', 'bytes read at an index entry when verifying (default 5242880)')
    .option('--max-bytes <size>', 'only batches within the first SIZE bytes of a .log (default 2147483647)')
    .option('--key-decoder-class [class]', "how keys are printed: Kafka's StringDecoder (default), DefaultDecoder (hex), IntegerDecoder, LongDecoder, or string|hex|base64|json|int|long")
    .option('--value-decoder-class [class]', 'how payloads are printed (the same choices)')
    .option('--decoder <name>', 'string|hex|base64|json|int|long for keys and payloads alike (kafka-ts)')
    .option('--offsets-decoder', 'decode __consumer_offsets records: offset commits and group metadata as JSON')
    .option('--transaction-log-decoder', 'decode __transaction_state records: transactional ids and their transaction state as JSON')
    .option('--cluster-metadata-decoder', "print the JSON payloads of kafka-ts's cluster metadata log (meta/metadata.log; recognised without this option too)")
    .option('--remote-log-metadata-decoder', 'decode tiered-storage metadata records (refused: kafka-ts has no tiered storage)')
    .option('--share-group-state-decoder', 'decode __share_group_state records (refused: kafka-ts has no share groups)')
    .option('--skip-record-metadata', 'print only keys and payloads of records, not their offsets, sizes and timestamps');
}

const REFUSED: [keyof DumpLogFlags, string][] = [
  ['remoteLogMetadataDecoder', '--remote-log-metadata-decoder: kafka-ts has no tiered storage, so there is no remote log metadata to decode'],
  ['shareGroupStateDecoder', '--share-group-state-decoder: kafka-ts has no share groups, so there is no __share_group_state to decode'],
];

/** The files named by --files and the arguments, each checked to exist and not be a directory. */
export function filesOf(o: DumpLogFlags, args: string[]): string[] {
  const files = [...(o.files ?? '').split(','), ...args].map((f) => f.trim()).filter((f) => f !== '');
  if (files.length === 0) throw new UsageError('Missing required argument "[files]"');
  for (const f of files) {
    let isDir: boolean;
    try {
      isDir = statSync(f).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`${f}: no such file`);
      throw new UsageError(`${f}: cannot be read (${code ?? (e as Error).message})`);
    }
    if (isDir) throw new UsageError(`${f} is a directory, not a segment file (name its .log, .index or .timeindex files)`);
  }
  return files;
}

export function toolOptions(o: DumpLogFlags): DumpLogOptions {
  for (const [flag, message] of REFUSED) if (o[flag]) throw new UsageError(message);
  const className = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const both = o.decoder !== undefined ? decoderOf(o.decoder, '--decoder') : 'string';
  const key = className(o.keyDecoderClass) !== undefined ? decoderOf(className(o.keyDecoderClass)!, '--key-decoder-class') : both;
  const value = className(o.valueDecoderClass) !== undefined ? decoderOf(className(o.valueDecoderClass)!, '--value-decoder-class') : both;
  const printData = !!(o.printDataLog || o.offsetsDecoder || o.transactionLogDecoder || o.clusterMetadataDecoder || o.keyDecoderClass !== undefined || o.valueDecoderClass !== undefined || o.decoder !== undefined);
  return {
    printData,
    deepIteration: !!o.deepIteration || printData,
    verifyIndexOnly: !!o.verifyIndexOnly,
    indexSanityCheck: !!o.indexSanityCheck,
    maxMessageSize: requireInt(o.maxMessageSize, '--max-message-size', { min: 1, max: INT_MAX }) ?? 5 * 1024 * 1024,
    maxBytes: requireInt(o.maxBytes, '--max-bytes', { min: 0, max: INT_MAX }) ?? INT_MAX,
    skipRecordMetadata: !!o.skipRecordMetadata,
    parser: payloadParser(o.offsetsDecoder ? 'offsets' : o.transactionLogDecoder ? 'transaction-log' : o.clusterMetadataDecoder ? 'cluster-metadata' : false, key, value),
  };
}
