/** The daemon's logger levels (BROKER_LOGGER configs): log4j-style inheritance, changes at run time. */
import { describe, expect, it } from 'vitest';
import { createLogger, LogLevels } from '../../../src/util/logger.js';

describe('LogLevels', () => {
  it('knows every logger and its dotted ancestors; a level is inherited from the nearest one, then root', () => {
    const lines: string[] = [];
    const root = createLogger((l) => lines.push(l), 'kafka.Kafka', 'INFO');
    const server = root.child('kafka.server.KafkaServer id=2');
    const levels = root.levels!;
    expect(levels.list()).toEqual([
      ['kafka', 'INFO'],
      ['kafka.Kafka', 'INFO'],
      ['kafka.server', 'INFO'],
      ['kafka.server.KafkaServer', 'INFO'],
      ['root', 'INFO'],
    ]);
    server.debug('hidden');
    levels.set('kafka.server', 'DEBUG');
    server.debug('shown');
    root.debug('still hidden');
    expect(levels.effective('kafka.server.KafkaServer')).toBe('DEBUG');
    levels.set('root', 'WARN');
    root.info('hidden by root');
    server.info('kept by kafka.server');
    levels.unset('kafka.server');
    server.info('hidden again');
    levels.unset('root');
    expect(levels.effective('kafka.Kafka')).toBe('WARN');
    expect(lines.map((l) => l.replace(/^\[[^\]]+\] /, ''))).toEqual([
      'DEBUG shown (kafka.server.KafkaServer id=2)\n',
      'INFO kept by kafka.server (kafka.server.KafkaServer id=2)\n',
    ]);
    expect(new LogLevels('ERROR').enabled('x', 'WARN')).toBe(false);
  });
});
