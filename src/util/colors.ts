/**
 * Colours through chalk, off when NO_COLOR is set (https://no-color.org), when FORCE_COLOR=0, or
 * when the stream is not a terminal. chalk alone does not look at NO_COLOR.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const off = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false';
  if (off) return new Chalk({ level: 0 });
  if (env.FORCE_COLOR) return new Chalk({ level: Math.min(3, Math.max(1, Number(env.FORCE_COLOR) || 1)) as 1 | 2 | 3 });
  return new Chalk({ level: stream.isTTY ? 2 : 0 });
}
