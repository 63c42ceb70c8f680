/**
 * consumer-groups --reset-offsets input: partitions and offsets as Kafka parses them (ints and
 * longs, each partition once), --from-plan files, and a group that became active while the plan
 * was being committed.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { parseLong, parseResetCsv, parseTopicArg, readPlan, resetView, settleActive, type ResetFailure, type ResetPlan } from '../../../src/tools/reset-offsets.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

describe('--topic t:p,p', () => {
  it('takes each partition once, and refuses one past a Java int as Kafka does', () => {
    expect(parseTopicArg('dr:0,0,2')).toEqual({ topic: 'dr', partitions: [0, 2] });
    expect(parseTopicArg('dr:2147483647').partitions).toEqual([2147483647]);
    expect(() => parseTopicArg('dr:2147483648')).toThrow("Invalid partition '2147483648' specified in topic arg 'dr:2147483648''");
    expect(() => parseTopicArg('orders:99999999999999999999')).toThrow("Invalid partition '99999999999999999999'");
  });
});

describe('offsets: Java longs', () => {
  it('are exact up to 2^53 and kept exactly past it; past a long they are refused', () => {
    expect(parseLong('42')).toEqual({ value: 42 });
    expect(parseLong('-5')).toEqual({ value: -5 });
    expect(parseLong('9223372036854775807')).toEqual({ value: Number.MAX_SAFE_INTEGER, exact: 9223372036854775807n });
    expect(parseLong('-9223372036854775808')).toEqual({ value: -Number.MAX_SAFE_INTEGER, exact: -9223372036854775808n });
    expect(parseLong('9223372036854775808')).toBeNull();
    expect(parseLong('99999999999999999999')).toBeNull();
    expect(parseLong('1e3')).toBeNull();
  });

  it('--from-file refuses offsets past a long and partitions past an int, and keeps big offsets exactly', () => {
    expect(() => parseResetCsv('orders,0,99999999999999999999\n', ['g'])).toThrow(/line 1: invalid offset '99999999999999999999'/);
    expect(() => parseResetCsv('orders,2147483648,1\n', ['g'])).toThrow(/line 1: invalid partition '2147483648'/);
    expect(parseResetCsv('orders,0,9223372036854775807\n', ['g'])).toEqual([{ group: 'g', topic: 'orders', partition: 0, newOffset: Number.MAX_SAFE_INTEGER, exact: 9223372036854775807n }]);
  });
});

describe('--from-plan', () => {
  const plan = (rows: object[]) => {
    const t = tempDir();
    const path = join(t.dir, 'plan.json');
    writeFileSync(path, JSON.stringify({ plan: rows }));
    try {
      return readPlan(path);
    } finally {
      t.cleanup();
    }
  };
  const row = (partition: number, newOffset: number) => ({ group: 'g', topic: 'dr', partition, newOffset });

  it('takes a partition planned twice at one offset once', () => {
    expect(plan([row(0, 5), row(1, 3), row(0, 5)])).toEqual([row(0, 5), row(1, 3)]);
  });

  it('refuses a partition planned at two offsets, and offsets or partitions out of range', () => {
    expect(() => plan([row(0, 5), row(0, 7)])).toThrow(/entries 0 and 1 plan dr-0 of group 'g' at different offsets \(5 and 7\)/);
    expect(() => plan([row(0, 1e20)])).toThrow(/entry 0 needs/);
    expect(() => plan([row(2 ** 31, 1)])).toThrow(/entry 0 needs/);
  });
});

describe('a group that became active during --execute', () => {
  const emptyPlan = (): ResetPlan => ({
    rows: [
      { group: 'busy', topic: 'dr', partition: 0, newOffset: 1 },
      { group: 'busy', topic: 'dr', partition: 1, newOffset: 1 },
      { group: 'calm', topic: 'dr', partition: 0, newOffset: 2 },
    ],
    active: [],
    missing: [],
    warnings: [],
    notes: [],
    unplanned: [],
  });
  const failure = (group: string, partition: number, code: number): ResetFailure => ({ row: { group, topic: 'dr', partition, newOffset: 1 }, message: 'm', denied: false, code });

  it('is reported once as active (exit 5), its rows left out of the plan; other failures stay', () => {
    const plan = emptyPlan();
    const failures = [failure('busy', 0, ErrorCode.UNKNOWN_MEMBER_ID), failure('busy', 1, ErrorCode.UNKNOWN_MEMBER_ID), failure('calm', 0, ErrorCode.COORDINATOR_NOT_AVAILABLE)];
    const left = settleActive(plan, failures, new Map([['busy', 'Stable']]));
    expect(left).toEqual([failures[2]]);
    expect(plan.active).toEqual([{ group: 'busy', state: 'Stable' }]);
    expect(plan.rows).toEqual([{ group: 'calm', topic: 'dr', partition: 0, newOffset: 2 }]);
    const v = resetView(plan, [], { execute: true, export: false, withGroup: true, table: true });
    expect(v.exit).toBe('Busy');
    expect(v.text()).toContain("\nError: Assignments can only be reset if the group 'busy' is inactive, but the current state is Stable.\n");
    expect(v.text().match(/busy/g)).toHaveLength(1);
  });

  it('names the unplanned groups in JSON, and on stderr in JSON mode', () => {
    const plan = { ...emptyPlan(), rows: [], unplanned: ['g3'] };
    const v = resetView(plan, [], { execute: false, export: false, withGroup: false, table: true });
    expect(v.data).toMatchObject({ unplanned: ['g3'] });
    expect(v.diagnostics()).toEqual(['\nError: No reset plan for group g3 found']);
    expect(v.exit).toBe('Failure');
  });
});
