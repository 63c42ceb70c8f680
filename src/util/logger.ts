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
  /** The levels of this logger's family (Kafka's broker loggers), when it has them. */
  readonly levels?: LogLevels;
}

/** Kafka's settable log levels (LogLevelConfig.VALID_LOG_LEVELS). */
export const KAFKA_LOG_LEVELS = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;
export type KafkaLogLevel = (typeof KAFKA_LOG_LEVELS)[number];
const KAFKA_ORDER: Record<KafkaLogLevel, number> = { TRACE: 0, DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, FATAL: 3 };

/**
 * The loggers of one process and their levels, as log4j keeps them: a logger without a level of
 * its own takes its nearest dotted ancestor's, then root's. A logger's name is the part before
 * any space ("kafka.server.KafkaServer id=1" is kafka.server.KafkaServer). One daemon, one set of
 * levels: its logical brokers share them. Levels change at run
 * time (DescribeConfigs / IncrementalAlterConfigs of BROKER_LOGGER) and are not kept.
 */
export class LogLevels {
  static readonly ROOT = 'root';
  private readonly own = new Map<string, KafkaLogLevel>();
  private readonly known = new Set<string>([LogLevels.ROOT]);
  private readonly cache = new Map<string, number>();

  constructor(root: LogLevel) {
    this.own.set(LogLevels.ROOT, root);
  }

  /** Makes a logger known, with its dotted ancestors (kafka.server.X: kafka.server, kafka), which set a family's level. */
  register(name: string): void {
    for (let n = baseName(name); n !== ''; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') this.known.add(n);
  }

  exists(name: string): boolean {
    return this.known.has(name);
  }

  /** The level a logger logs at: its own, its nearest ancestor's, or root's. */
  effective(name: string): KafkaLogLevel {
    for (let n = baseName(name); ; n = n.slice(0, n.lastIndexOf('.'))) {
      const level = this.own.get(n);
      if (level) return level;
      if (!n.includes('.')) return this.own.get(LogLevels.ROOT)!;
    }
  }

  enabled(name: string, level: LogLevel): boolean {
    let min = this.cache.get(name);
    if (min === undefined) this.cache.set(name, (min = KAFKA_ORDER[this.effective(name)]));
    return ORDER[level] >= min;
  }

  set(name: string, level: KafkaLogLevel): void {
    this.own.set(name, level);
    this.cache.clear();
  }

  /** Removes a logger's own level (it inherits again); root keeps its own. */
  unset(name: string): void {
    if (name !== LogLevels.ROOT) this.own.delete(name);
    this.cache.clear();
  }

  /** Every known logger with its effective level, sorted by name. */
  list(): [string, KafkaLogLevel][] {
    return [...this.known].sort().map((n) => [n, this.effective(n)]);
  }
}

const baseName = (name: string) => name.split(' ')[0]!;

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

export function createLogger(write: (line: string) => void, name = 'kafka-ts', minLevel: LogLevel = 'INFO', levels = new LogLevels(minLevel)): Logger {
  levels.register(name);
  const emit = (level: LogLevel, msg: string) => {
    if (!levels.enabled(name, level)) return;
    write(`[${formatTimestamp(new Date())}] ${level} ${msg} (${name})\n`);
  };
  return {
    debug: (m) => emit('DEBUG', m),
    info: (m) => emit('INFO', oneLine(m)),
    warn: (m) => emit('WARN', oneLine(m)),
    error: (m) => emit('ERROR', m),
    child: (child) => createLogger(write, child, minLevel, levels),
    levels,
  };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
