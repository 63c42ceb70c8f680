/**
 * What a command's action returns: the data (printed as one JSON document with --output json)
 * and its text rendering (Kafka's layout), plus how the command ends. One printer writes either,
 * so that no action writes to stdout itself.
 */
import type { ExitStatusKey } from './errors.js';
import type { Output } from './output.js';
import { stringifyJsonExact } from '../util/exact-json.js';

export interface View<D = unknown> {
  data: D;
  /** Kafka's text layout: a whole text, or lines (each printed with a newline). */
  text(): string | string[];
  /** Lines for stderr that go with the text layout (Kafka prints them there); not in JSON mode, whose document carries what they say. */
  warnings?(): string[];
  /**
   * Errors and warnings that Kafka's text layout prints on stdout (text() has them there: "Error:
   * Assignments can only be reset…"). JSON mode, whose stdout is JSON only, prints them on
   * stderr instead (without their leading blank lines), so that a failure still says why there.
   */
  diagnostics?(): string[];
  /** Lines for stderr in either mode: an end-of-run summary that stays off stdout (console-producer's counts). */
  stderr?(): string[];
  /** How the command ends when it did not fail (Ok when omitted). */
  exit?: ExitStatusKey;
}

/** Where a view is printed: buffered stdout and stderr lines (a CliContext). */
export interface ViewIO {
  out: Pick<Output, 'write'>;
  warn(line: string): void;
}

/** An action that has nothing to say, in text or JSON. */
export const NOTHING: View<undefined> = { data: undefined, text: () => '' };

/**
 * A line Kafka prints on stdout that is a diagnostic (an error or a warning), written by a command
 * that prints as it goes: on stdout in text mode, on stderr in JSON mode (without leading blank lines).
 */
export function diagnostic(io: ViewIO, json: boolean, line: string): void {
  if (json) io.warn(line.replace(/^\n+/, ''));
  else io.out.write(`${line}\n`);
}

/** Writes the view as JSON (one line; nothing for NOTHING's undefined data) or text; returns its outcome. */
export function printView(view: View, io: ViewIO, json: boolean): ExitStatusKey {
  if (!json) for (const line of view.warnings?.() ?? []) io.warn(line);
  if (json) for (const line of view.diagnostics?.() ?? []) diagnostic(io, json, line);
  for (const line of view.stderr?.() ?? []) io.warn(line);
  const rendered = json ? (view.data === undefined ? '' : `${jsonText(view.data)}\n`) : lines(view.text());
  if (rendered) io.out.write(rendered);
  return view.exit ?? 'Ok';
}

/**
 * The JSON document. A 64-bit value past 2^53 (a bigint: dump-log reading a corrupt index) is
 * written with all its digits, as a number, rather than failing JSON.stringify.
 */
function jsonText(data: unknown): string {
  try {
    return JSON.stringify(data);
  } catch (e) {
    if (!(e instanceof TypeError) || !/BigInt/i.test(e.message)) throw e;
    return stringifyJsonExact(data);
  }
}

const lines = (text: string | string[]): string => (Array.isArray(text) ? text.map((l) => `${l}\n`).join('') : text);

/** A view whose text is lines computed from its data. */
export const view = <D>(data: D, text: (data: D) => string | string[], exit?: ExitStatusKey, diagnostics?: (data: D) => string[]): View<D> => ({
  data,
  text: () => text(data),
  ...(exit && { exit }),
  ...(diagnostics && { diagnostics: () => diagnostics(data) }),
});

/**
 * A view built step by step, for actions whose text Kafka prints as it goes (reassign-partitions
 * prints the rollback plan before it starts the moves): the action adds text and sets the JSON
 * document as each step completes. If a later step fails, printSteps still prints what the steps
 * before it reported, as it was printed before the failure.
 */
export class StepReport {
  private chunks: string[] = [];
  /** The JSON document, once known. */
  data: unknown = undefined;

  /** A line of text. */
  line = (text: string): void => void this.chunks.push(`${text}\n`);

  /** Text without a newline (Kafka's tool prints some messages that way). */
  write(text: string): void {
    this.chunks.push(text);
  }

  view(exit?: ExitStatusKey): View {
    const text = this.chunks.join('');
    return { data: this.data, text: () => text, ...(exit && { exit }) };
  }

  /** Prints what is reported so far and starts afresh (before a long wait). */
  printSoFar(io: ViewIO, json: boolean): void {
    printView(this.view(), io, json);
    this.chunks = [];
    this.data = undefined;
  }
}

/** Runs an action that reports in steps; prints its view, or what it reported before it failed. */
export async function printSteps(io: ViewIO, json: boolean, action: (report: StepReport) => Promise<ExitStatusKey>): Promise<ExitStatusKey> {
  const report = new StepReport();
  let exit: ExitStatusKey;
  try {
    exit = await action(report);
  } catch (e) {
    try {
      printView(report.view(), io, json);
    } catch {
      /* stdout closed: the failure is what is reported */
    }
    throw e;
  }
  return printView(report.view(exit), io, json);
}
