/**
 * Runs the lag watcher in the terminal: an alternate screen (restored on exit, so the shell's
 * scrollback stays as it was) and Ink handling input, resizes and Ctrl-C.
 */
import { render } from 'ink';
import { LagApp, type LagAppProps } from './lag-app.js';

export { SORT_KEYS, type SortKey } from './lag-app.js';

export async function runLagTui(props: LagAppProps, stdout: NodeJS.WriteStream = process.stdout): Promise<void> {
  const alternate = !!stdout.isTTY;
  if (alternate) stdout.write('\x1b[?1049h\x1b[H');
  try {
    const app = render(<LagApp {...props} />, { stdout, exitOnCtrlC: true, patchConsole: false });
    await app.waitUntilExit();
  } finally {
    if (alternate) stdout.write('\x1b[?1049l');
  }
}
