/**
 * Ctrl-C (SIGINT) and SIGTERM for the streaming commands: the first signal asks the command to
 * stop; it finishes what it has read, flushes stdout and exits 130 or 143 (signalExit). A second
 * signal finds no handler and ends the process at once, the default.
 */
export interface StopSignal {
  /** Resolves with the signal that asked the command to stop. */
  readonly received: Promise<NodeJS.Signals>;
  /** The signal received so far, if any. */
  readonly signal: NodeJS.Signals | null;
}

export function watchStopSignals(): StopSignal {
  let signal: NodeJS.Signals | null = null;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal = s;
      resolve(s);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return {
    received,
    get signal() {
      return signal;
    },
  };
}
