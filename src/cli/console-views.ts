/**
 * The end-of-run reports of console-producer and console-consumer, and the notices on the way.
 * Their records stream as they go (src/tools writes them through the output); what is said at
 * the end is a view like any other command's.
 */
import type { ProduceSummary } from '../tools/console-producer.js';
import { describeError, EXIT_OF_KIND, exitCode, isKafkaTsError, jsonError, type ExitStatusKey } from './errors.js';
import type { View } from './view.js';

/**
 * console-producer's summary: on stderr in both modes (the inputError line, then the counts);
 * with --output json also one object on stdout.
 */
export function producerSummaryView(topic: string, summary: ProduceSummary, exit: ExitStatusKey, error: string | undefined = summary.authError?.message): View {
  const total = summary.sent + summary.failed;
  const counts = summary.failed
    ? `kafka-ts console-producer: sent ${summary.sent} of ${total} records to topic ${topic}; ${summary.failed} failed`
    : `kafka-ts console-producer: sent ${summary.sent} record${summary.sent === 1 ? '' : 's'} to topic ${topic}`;
  const t = summary.transactions;
  const txnLine = t
    ? [
        ...(summary.transactionError ? [`kafka-ts console-producer: transaction failed: ${summary.transactionError}`] : []),
        `kafka-ts console-producer: ${t.committed} transaction${t.committed === 1 ? '' : 's'} committed (${t.committedRecords} record${t.committedRecords === 1 ? '' : 's'}), ${t.aborted} aborted`,
      ]
    : [];
  return {
    data: {
      topic,
      sent: summary.sent,
      failed: summary.failed,
      inputError: summary.inputError,
      interrupted: summary.interrupted,
      ...(t ? { transactions: t, transactionError: summary.transactionError ?? null } : {}),
      // The failure that ended the run, as every command's JSON error.
      ...(error !== undefined ? jsonError(exitCode(exit), error) : {}),
    },
    text: () => '',
    stderr: () => [...(summary.inputError ? [summary.inputError] : []), counts, ...txnLine, ...(error !== undefined ? [`kafka-ts console-producer: error: ${error}`] : [])],
    exit,
  };
}

/**
 * console-producer's summary when it could not connect (no broker reachable, credentials or TLS
 * refused): nothing read, nothing sent, and the failure, as the summary of a run that ended with
 * it; the exit status is the failure's. Any other error is rethrown.
 */
export function producerConnectFailureView(topic: string, e: unknown, principal?: string): View {
  if (!isKafkaTsError(e) || (e.kind !== 'unreachable' && e.kind !== 'auth')) throw e;
  return producerSummaryView(topic, { lines: 0, sent: 0, failed: 0, inputError: null, interrupted: false }, EXIT_OF_KIND[e.kind], describeError(e, principal).line);
}

/** console-producer stopped while it was still connecting: its summary, nothing sent. */
export const producerStoppedView = (topic: string, exit: ExitStatusKey): View => producerSummaryView(topic, { lines: 0, sent: 0, failed: 0, inputError: null, interrupted: true }, exit);

/**
 * console-consumer's end: with --enable-systest-events Kafka's shutdown_complete event on stdout.
 * Its "Processed a total of N messages" (processedLine) is said on stderr however the run ended,
 * before the error line of a failure too (CliContext.atEnd), as Kafka says it in a finally block.
 */
export function consumerEndView(systestEvents: boolean, exit: ExitStatusKey, failure: string | null = null): View {
  return {
    // A failure that ended the command is the last line of JSON output, as for every command.
    data: failure !== null ? jsonError(exitCode(exit), failure) : systestEvents ? { event: 'shutdown_complete' } : undefined,
    text: () => (systestEvents ? ['shutdown_complete'] : []),
    exit,
  };
}

/** console-consumer's count, on stderr in both modes (stdout stays records, or JSON). */
export const processedLine = (processed: number): string => `Processed a total of ${processed} messages`;

export interface ResetNotice {
  topic: string;
  partition: number;
  from: number;
  to: number;
  policy: string;
}

/** A broker the consumer fetches from went away, or came back (it retries meanwhile, as Kafka's consumer does). */
export const connectionNotice = (c: { broker: number; lost: boolean; error?: Error }): string =>
  c.lost ? `WARN Connection to broker ${c.broker} was lost (${c.error?.message}); retrying until it is back` : `Connected to broker ${c.broker} again; consuming`;

/** An out-of-range position reset by auto.offset.reset: an --offset past the end would otherwise look like an empty topic. */
export const resetNotice = (r: ResetNotice): string => `Offset ${r.from} is out of range for ${r.topic}-${r.partition}: resetting to the ${r.policy} offset ${r.to} (auto.offset.reset=${r.policy})`;
