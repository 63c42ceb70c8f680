import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/util/logger.js';

describe('logger', () => {
  it('keeps an INFO or WARN event on one line whatever the client sent, and ERROR stack traces as they are', () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l), 'test');
    log.warn('malformed request from client evil\n[2026-01-01 00:00:00,000] ERROR forged\r\u2028x');
    log.info('user a\nb');
    log.error('boom\n    at f (x.ts:1)');
    expect(lines[0]).toMatch(/^\[[^\]]+\] WARN malformed request from client evil\\n\[2026-01-01 00:00:00,000\] ERROR forged\\r\\u2028x \(test\)\n$/);
    expect(lines[1]).toContain('INFO user a\\nb (test)');
    expect(lines[2]).toContain('ERROR boom\n    at f (x.ts:1) (test)');
  });
});
