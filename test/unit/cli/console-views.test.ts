import { describe, expect, it } from 'vitest';
import { consumerEndView, processedLine, producerSummaryView } from '../../../src/cli/console-views.js';
import { printView, type View } from '../../../src/cli/view.js';

const print = (v: View, json: boolean) => {
  let out = '';
  const warned: string[] = [];
  const exit = printView(v, { out: { write: (s) => void (out += s.toString()) }, warn: (l) => void warned.push(l) }, json);
  return { out, warned, exit };
};
const summary = { lines: 3, sent: 3, failed: 0, inputError: null, interrupted: false };

describe('console-producer summary', () => {
  it('is one line on stderr in text mode, nothing on stdout', () => {
    expect(print(producerSummaryView('orders', summary, 'Ok'), false)).toEqual({ out: '', warned: ['kafka-ts console-producer: sent 3 records to topic orders'], exit: 'Ok' });
    expect(print(producerSummaryView('orders', { ...summary, sent: 1 }, 'Ok'), false).warned).toEqual(['kafka-ts console-producer: sent 1 record to topic orders']);
  });

  it('names failures and the input error first, and keeps them on stderr in JSON mode too', () => {
    const bad = { lines: 4, sent: 2, failed: 1, inputError: 'line 4: no key separator', interrupted: false };
    const r = print(producerSummaryView('orders', bad, 'Failure'), true);
    expect(r.warned).toEqual(['line 4: no key separator', 'kafka-ts console-producer: sent 2 of 3 records to topic orders; 1 failed']);
    expect(r.out).toBe('{"topic":"orders","sent":2,"failed":1,"inputError":"line 4: no key separator","interrupted":false}\n');
    expect(r.exit).toBe('Failure');
  });
});

describe('console-consumer end', () => {
  it('shutdown_complete on stdout only with --enable-systest-events; the count is said at the end (processedLine)', () => {
    expect(print(consumerEndView(false, 'Ok'), false)).toEqual({ out: '', warned: [], exit: 'Ok' });
    expect(print(consumerEndView(true, 'Interrupted'), false)).toEqual({ out: 'shutdown_complete\n', warned: [], exit: 'Interrupted' });
    expect(print(consumerEndView(true, 'Ok'), true).out).toBe('{"event":"shutdown_complete"}\n');
    expect(print(consumerEndView(false, 'Ok'), true).out).toBe('');
    expect(processedLine(5)).toBe('Processed a total of 5 messages');
  });
});
