/** The reports of reassign-partitions' actions: Kafka's text lines and the --output json documents. */
import { describe, expect, it } from 'vitest';
import { cancelledJson, executedJson, generateReport, listReport, verifyReport } from '../../../src/tools/reassign.js';

describe('reassign-partitions reports', () => {
  it('--generate: both plans under their headings, and as parsed JSON', () => {
    const current = '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1],"log_dirs":["any"]}]}';
    const proposed = '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[2],"log_dirs":["any"]}]}';
    const g = generateReport({ current, proposed });
    expect(g.lines).toEqual(['Current partition replica assignment', current, '', 'Proposed partition reassignment configuration', proposed]);
    expect(g.data).toEqual({ current: JSON.parse(current), proposed: JSON.parse(proposed) });
  });

  it('--verify: a line per partition, a blank line, throttles cleared only when nothing moves', () => {
    const partitions = [
      { topic: 'foo', partition: 0, state: 'completed' as const, replicas: [2], target: [2] },
      { topic: 'foo', partition: 1, state: 'different' as const, replicas: [1], target: [3] },
    ];
    const v = verifyReport({ partitions, anyOngoing: false }, false);
    expect(v.lines).toEqual([
      'Status of partition reassignment:',
      'Reassignment of partition foo-0 is completed.',
      'There is no active reassignment of partition foo-1, but replica set is 1 rather than 3.',
      '',
    ]);
    expect(v.data).toEqual({
      partitions: [
        { topic: 'foo', partition: 0, status: 'completed', replicas: [2], targetReplicas: [2] },
        { topic: 'foo', partition: 1, status: 'different', replicas: [1], targetReplicas: [3] },
      ],
      throttlesCleared: true,
    });
    expect(verifyReport({ partitions, anyOngoing: true }, false).data.throttlesCleared).toBe(false);
    expect(verifyReport({ partitions, anyOngoing: false }, true).data.throttlesCleared).toBe(false);
  });

  it('--execute and --cancel: what was started or cancelled, as JSON', () => {
    const done = { outcome: 'Ok' as const, rollback: '{"version":1,"partitions":[]}', started: [{ topic: 'foo', partition: 0 }], failed: [] };
    expect(executedJson(done, -1)).toEqual({ rollback: { version: 1, partitions: [] }, started: [{ topic: 'foo', partition: 0 }], failed: [], throttle: null });
    expect(executedJson(done, 1000).throttle).toBe(1000);
    const cancelled = { outcome: 'Failure' as const, cancelled: [], failed: [{ topic: 'foo', partition: 0, error: 'boom' }] };
    expect(cancelledJson(cancelled, true)).toEqual({ cancelled: [], failed: [{ topic: 'foo', partition: 0, error: 'boom' }], throttlesCleared: false });
  });

  it('--list: running moves in Kafka\'s words, or that there are none', () => {
    expect(listReport([])).toEqual({ data: { reassignments: [] }, lines: ['No partition reassignments found.'] });
    const moving = listReport([{ topic: 'slow', partition: 0, replicas: [2, 1], adding: [2], removing: [1] }]);
    expect(moving.lines).toEqual(['Current partition reassignments:', 'slow-0: replicas: 2,1. adding: 2. removing: 1.']);
    expect(moving.data).toEqual({ reassignments: [{ topic: 'slow', partition: 0, replicas: [2, 1], addingReplicas: [2], removingReplicas: [1] }] });
  });
});
