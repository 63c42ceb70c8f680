/**
 * What a command's action returns: the data (printed as one JSON document with --output json)
 * and its text rendering (Kafka's layout), plus how the command ends. One printer writes either,
 * so that no action writes to stdout itself.
 */
import type { ExitStatusKey } from './errors.js';
import type { Output } from './output.js';

export interface View<D = unknown> {
  data: D;
  /** Kafka's text layout: a whole text, or lines (each printed with a newline). */
  text(): string | string[];
  /** How the command ends when it did not fail (Ok when omitted). */
  exit?: ExitStatusKey;
}

/** Writes the view as JSON (one line) or text; returns its outcome. */
export function printView(view: View, out: Pick<Output, 'write'>, json: boolean): ExitStatusKey {
  if (json) out.write(`${JSON.stringify(view.data)}\n`);
  else {
    const text = view.text();
    out.write(Array.isArray(text) ? text.map((l) => `${l}\n`).join('') : text);
  }
  return view.exit ?? 'Ok';
}

/** A view whose text is lines computed from its data. */
export const view = <D>(data: D, text: (data: D) => string | string[], exit?: ExitStatusKey): View<D> => ({ data, text: () => text(data), ...(exit && { exit }) });
