import { describe, expect, it } from 'vitest';
import { notAnsweringView, notRunningView, runningView, startedView, stoppedView } from '../../../src/cli/daemon-views.js';
import { printView, type View } from '../../../src/cli/view.js';
import type { DaemonStatus } from '../../../src/cli/local-daemon.js';

const print = (v: View, json: boolean) => {
  let out = '';
  const warned: string[] = [];
  const exit = printView(v, { out: { write: (s) => void (out += s.toString()) }, warn: (l) => void warned.push(l) }, json);
  return { out, warned, exit };
};

const status = (brokers: DaemonStatus['brokers']): DaemonStatus => ({
  pid: 4242,
  version: '1.2.3',
  dataDir: '/d',
  socket: '/d/kafka.sock',
  controlSocket: '/d/control.sock',
  logFile: '/d/server.log',
  pidFile: '/d/kafka-ts.pid',
  startedAt: '2026-01-01T00:00:00.000Z',
  clusterId: 'abc',
  controllerId: 1,
  listeners: ['PLAINTEXT://127.0.0.1:9092', 'UNIX:///d/kafka.sock'],
  brokers,
});
const one = status([{ id: 1, live: true, listeners: ['PLAINTEXT://127.0.0.1:9092'], logDir: '/d/data' }]);

describe('server views', () => {
  it('prints a running daemon as the status block, and as {"running":true,…}', () => {
    expect(print(runningView(one), false)).toEqual({
      out: 'kafka-ts broker is running (pid 4242, kafka-ts 1.2.3)\n  data dir:    /d\n  socket:      /d/kafka.sock\n  listeners:   PLAINTEXT://127.0.0.1:9092\n  cluster id:  abc\n  log file:    /d/server.log\n',
      warned: [],
      exit: 'Ok',
    });
    expect(JSON.parse(print(runningView(one), true).out)).toEqual({ running: true, ...one });
  });

  it('lists the brokers when there are several or one is stopped', () => {
    const two = status([
      { id: 1, live: true, listeners: ['PLAINTEXT://127.0.0.1:9092'], logDir: '/d/data' },
      { id: 2, live: false, listeners: ['PLAINTEXT://127.0.0.1:9093'], logDir: '/d/data-2' },
    ]);
    expect(print(runningView(two), false).out.split('\n').slice(6)).toEqual(['  brokers:', '    1  running, controller  PLAINTEXT://127.0.0.1:9092  /d/data', '    2  stopped    /d/data-2', '']);
  });

  it('names a log dir taken offline by a disk error, in text and JSON', () => {
    const error = 'ENOSPC: no space left on device, write';
    const full = status([{ id: 1, live: true, listeners: ['PLAINTEXT://127.0.0.1:9092'], logDir: '/d/data', logDirError: error }]);
    const text = print(runningView(full), false);
    expect(text.out.split('\n').slice(0, -1).at(-1)).toBe(`  offline:     log dir /d/data (${error}): its partitions answer KAFKA_STORAGE_ERROR until the broker restarts`);
    expect(text.exit).toBe('Ok');
    expect(JSON.parse(print(runningView(full), true).out).brokers[0].logDirError).toBe(error);
    const two = status([
      { id: 1, live: true, listeners: ['PLAINTEXT://127.0.0.1:9092'], logDir: '/d/data', logDirError: null },
      { id: 2, live: true, listeners: ['PLAINTEXT://127.0.0.1:9093'], logDir: '/d/data-2', logDirError: error },
    ]);
    const lines = print(runningView(two), false).out.split('\n');
    expect(lines).toContain(`  offline:     log dir /d/data-2 of broker 2 (${error}): its partitions answer KAFKA_STORAGE_ERROR until the broker restarts`);
    expect(lines).toContain('    2  running  PLAINTEXT://127.0.0.1:9093  /d/data-2 (offline)');
    expect(lines.filter((l) => l.includes('offline'))).toHaveLength(2);
  });

  it('says no daemon runs on stdout with exit Unreachable, and in JSON', () => {
    expect(print(notRunningView('/d'), false)).toEqual({ out: 'kafka-ts broker is not running (data dir /d)\n', warned: [], exit: 'Unreachable' });
    expect(print(notRunningView('/d'), true)).toEqual({ out: '{"running":false,"dataDir":"/d"}\n', warned: [], exit: 'Unreachable' });
    expect(print(notAnsweringView(42, '/d', '/d/server.log', 3000), false)).toEqual({ out: 'kafka-ts broker (pid 42) is running but did not answer within 3 s (data dir /d); see /d/server.log\n', warned: [], exit: 'Unreachable' });
    expect(JSON.parse(print(notAnsweringView(42, '/d', '/d/server.log', 3000), true).out)).toEqual({ running: true, responding: false, pid: 42, dataDir: '/d' });
  });

  it('reports stop on stdout, or on stderr when nothing ran', () => {
    expect(print(stoppedView(4242, '/d'), false)).toEqual({ out: 'Stopped the kafka-ts broker (pid 4242).\n', warned: [], exit: 'Ok' });
    expect(print(stoppedView(null, '/d'), false)).toEqual({ out: '', warned: ['kafka-ts broker is not running (data dir /d)'], exit: 'Ok' });
    expect(print(stoppedView(null, '/d'), true)).toEqual({ out: '{"stopped":false,"pid":null}\n', warned: [], exit: 'Ok' });
  });

  it('prints server-start -daemon as one line, and the status object in JSON', () => {
    expect(print(startedView(one), false).out).toBe('kafka-ts broker started (pid 4242, data dir /d)\n');
    expect(JSON.parse(print(startedView(one), true).out)).toEqual({ running: true, ...one });
  });
});
