/**
 * console-consumer's flags read before connecting: --include as a regular expression and the
 * --formatter / --output choice (usage errors, exit 2, with Kafka's messages).
 */
import { describe, expect, it } from 'vitest';
import { includePattern, outputFormat } from '../../../src/cli/flags/console-consumer.js';
import { FORMATTERS } from '../../../src/tools/message-format.js';

describe('console-consumer flags', () => {
  it('reads --include as a regex matching whole topic names, refusing a bad one', () => {
    expect(includePattern(undefined)).toBeUndefined();
    const re = includePattern('a|b.*')!;
    expect(['a', 'bx', 'xa', 'ab'].map((t) => re.test(t))).toEqual([true, true, false, false]);
    expect(() => includePattern('(')).toThrow('( is an invalid regex.');
  });

  it('picks the formatter by full or simple class name; --output json wins; an unknown one is refused', () => {
    expect(outputFormat({ output: 'text' }, FORMATTERS)).toBe('default');
    expect(outputFormat({ output: 'text', formatter: 'kafka.tools.LoggingMessageFormatter' }, FORMATTERS)).toBe('logging');
    expect(outputFormat({ output: 'text', formatter: 'NoOpMessageFormatter' }, FORMATTERS)).toBe('noop');
    expect(outputFormat({ output: 'json', formatter: 'Nope' }, FORMATTERS)).toBe('json');
    expect(() => outputFormat({ output: 'text', formatter: 'Nope' }, FORMATTERS)).toThrow('Unsupported formatter Nope (supported: DefaultMessageFormatter, LoggingMessageFormatter, NoOpMessageFormatter)');
  });
});
