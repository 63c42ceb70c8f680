import { describe, expect, it } from 'vitest';
import { describeError, EXIT_OF_KIND, EXIT_STATUS, exitCode, jsonErrorLine, signalExit } from '../../../src/cli/errors.js';
import { BusyError, isKafkaTsError, KafkaTsError, NotFoundError, OutputClosed, TimeoutError, UsageError, type ErrorKind } from '../../../src/util/errors.js';
import { ErrorCode, KafkaProtocolError } from '../../../src/protocol/errors.js';
import { ConnectionError, RequestTimeoutError } from '../../../src/transport/client-connection.js';
import { UnsupportedApiError } from '../../../src/client/client.js';
import { TopicCommandError } from '../../../src/tools/topics.js';

describe('exit mapping', () => {
  it('maps every error kind to its documented exit status', () => {
    const expected: Record<ErrorKind, number> = {
      usage: 2,
      failed: 1,
      unreachable: 3,
      not_found: 4,
      busy: 5,
      timeout: 6,
      protocol: 1,
      unsupported: 1,
      output_closed: 0,
    };
    for (const [kind, code] of Object.entries(expected)) {
      expect(describeError(new KafkaTsError(kind as ErrorKind, 'm')).code, kind).toBe(code);
      expect(exitCode(EXIT_OF_KIND[kind as ErrorKind])).toBe(code);
    }
  });

  it('maps the subclasses by their kind', () => {
    expect(describeError(new UsageError('u')).code).toBe(2);
    expect(describeError(new NotFoundError('n')).code).toBe(4);
    expect(describeError(new BusyError('b')).code).toBe(5);
    expect(describeError(new TimeoutError('t')).code).toBe(6);
    expect(describeError(new OutputClosed()).code).toBe(0);
  });

  it('reports a Kafka protocol error with its error name, exit 1', () => {
    const d = describeError(new KafkaProtocolError(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'a' already exists."));
    expect(d).toEqual({ line: "Topic 'a' already exists. (TOPIC_ALREADY_EXISTS)", code: 1 });
    expect(describeError(new KafkaProtocolError(ErrorCode.GROUP_ID_NOT_FOUND)).line).toBe('The group id does not exist. (GROUP_ID_NOT_FOUND)');
  });

  it('reports an unreachable broker with the hint, a request timeout without, both exit 3', () => {
    expect(describeError(new ConnectionError('Could not connect to h:1', 'h:1'))).toEqual({ line: 'Could not connect to h:1 (is the broker running? see --bootstrap-server)', code: 3 });
    expect(describeError(new RequestTimeoutError('Request Metadata timed out'))).toEqual({ line: 'Request Metadata timed out', code: 3 });
    expect(describeError(new UnsupportedApiError('no Foo')).code).toBe(1);
  });

  it('keeps a Kafka stdout layout', () => {
    const d = describeError(new TopicCommandError("Topic 'x' does not exist as expected", 'not_found'));
    expect(d).toEqual({ line: "Topic 'x' does not exist as expected", code: 4, stdout: "Error while executing topic command : Topic 'x' does not exist as expected" });
  });

  it('calls anything outside the family unexpected, exit 1', () => {
    expect(describeError(new Error('boom'))).toEqual({ line: 'unexpected error: boom', code: 1 });
    expect(describeError('text')).toEqual({ line: 'unexpected error: text', code: 1 });
  });

  it('recognises the family across bundles by its brand, not by class identity', () => {
    const foreign = Object.assign(new Error('from the daemon bundle'), { kind: 'failed', [Symbol.for('kafka-ts.error')]: true });
    expect(isKafkaTsError(foreign)).toBe(true);
    expect(describeError(foreign)).toEqual({ line: 'from the daemon bundle', code: 1 });
    expect(isKafkaTsError(Object.assign(new Error('x'), { kind: 'failed' }))).toBe(false);
  });

  it('names signals and outcomes by the table', () => {
    expect(exitCode(signalExit('SIGINT'))).toBe(130);
    expect(exitCode(signalExit('SIGTERM'))).toBe(143);
    expect(exitCode('LagWarn')).toBe(10);
    expect(exitCode('LagErr')).toBe(11);
    for (const { code } of Object.values(EXIT_STATUS)) expect(Number.isInteger(code)).toBe(true);
  });

  it('writes the JSON error object with the kind of its exit code', () => {
    expect(jsonErrorLine(4, 'no such topic')).toBe('{"error":{"code":4,"kind":"not_found","message":"no such topic"}}\n');
    expect(JSON.parse(jsonErrorLine(1, 'x')).error.kind).toBe('failed');
    expect(JSON.parse(jsonErrorLine(3, 'x')).error.kind).toBe('unreachable');
  });
});

describe('wire error table', () => {
  it('knows every code by name', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.GROUP_MAX_SIZE_REACHED).toBe(81);
    expect(ErrorCode.TOPIC_DELETION_DISABLED).toBe(73);
    expect(new KafkaProtocolError(ErrorCode.NOT_COORDINATOR).retriable).toBe(true);
    expect(new KafkaProtocolError(999).errorName).toBe('UNKNOWN_ERROR_999');
  });
});
