/**
 * A small logger writing Kafka's log layout: `[yyyy-MM-dd HH:mm:ss,SSS] LEVEL message (name)`.
 * The daemon logs to its log file; library code takes a Logger so tests can capture or silence it.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const ORDER: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(name: string): Logger;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatTimestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

/**
 * INFO and WARN lines often quote what a client sent (client ids, user names, request fields):
 * their line breaks are escaped so that one event stays one line and a client cannot forge log
 * lines. DEBUG and ERROR keep theirs (stack traces).
 */
const ESCAPES: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\u2028': '\\u2028', '\u2029': '\\u2029' };
const oneLine = (msg: string): string => msg.replace(/[\r\n\u2028\u2029]/g, (c) => ESCAPES[c]!);

export function createLogger(write: (line: string) => void, name = 'kafka-ts', minLevel: LogLevel = 'INFO'): Logger {
  const emit = (level: LogLevel, msg: string) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    write(`[${formatTimestamp(new Date())}] ${level} ${msg} (${name})\n`);
  };
  return {
    debug: (m) => emit('DEBUG', m),
    info: (m) => emit('INFO', oneLine(m)),
    warn: (m) => emit('WARN', oneLine(m)),
    error: (m) => emit('ERROR', m),
    child: (child) => createLogger(write, child, minLevel),
  };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
