/**
 * `work` (connecting, a set-up step) or a stop, whichever comes first: null when `stopped` settled
 * first. What is left behind goes on until its owner closes it (its failure then is not reported:
 * the race has handled it). For a command's stop signals (src/cli/signals.ts) and the tools' `interrupted`.
 */
export function unlessStopped<T>(work: Promise<T>, stopped: Promise<unknown>): Promise<T | null> {
  return Promise.race([work, stopped.then(() => null)]);
}
