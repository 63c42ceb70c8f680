/**
 * Runs the CLI's main(argv) in this process with stdout and stderr captured: for wiring tests
 * (options, dispatch, usage errors, exit statuses) that need no spawned binary. Commands that
 * reach a broker still need one (see test/helpers/broker.ts and --bootstrap-server).
 */
import { main } from '../../src/cli/main.js';

export interface InProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(argv: string[], env: Record<string, string | undefined> = {}): Promise<InProcessResult> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (stream: NodeJS.WriteStream, into: string[]) => {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
    return () => (stream.write = original);
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const restoreOut = capture(process.stdout, out);
  const restoreErr = capture(process.stderr, err);
  const crashListeners = process.listeners('uncaughtException');
  try {
    const exitCode = await main(argv);
    return { exitCode, stdout: out.join(''), stderr: err.join('') };
  } finally {
    restoreOut();
    restoreErr();
    // main installs its crash handler on each run; leave the process as it was.
    for (const l of process.listeners('uncaughtException')) if (!crashListeners.includes(l)) process.off('uncaughtException', l);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
