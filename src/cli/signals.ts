/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP for the streaming commands: the first signal asks the
 * command to stop; it finishes what it has read, flushes stdout and exits 130, 143 or 129
 * (signalExit). SIGHUP is the terminal going away (the window closed, the ssh session dropped):
 * the JVM runs its shutdown hooks on it as on SIGTERM, so Kafka's tools commit and leave their
 * group then too, where Node's default would end the process on the spot. A second signal finds
 * no handler and ends the process at once, the default.
 */
export interface StopSignal {
  /** Resolves with the signal that asked the command to stop. */
  readonly received: Promise<NodeJS.Signals>;
  /** The signal received so far, if any. */
  readonly signal: NodeJS.Signals | null;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function watchStopSignals(): StopSignal {
  let signal: NodeJS.Signals | null = null;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      for (const each of STOP_SIGNALS) process.off(each, stop);
      signal = s;
      resolve(s);
    };
    for (const each of STOP_SIGNALS) process.on(each, stop);
  });
  return {
    received,
    get signal() {
      return signal;
    },
  };
}

/** A command's connecting or set-up step raced against its stop signals (`stopSignal.received`). */
export { unlessStopped } from '../util/stopping.js';
