import { describe, expect, it } from 'vitest';
import { printView, view, type View } from '../../../src/cli/view.js';
import { deleteGroupsLines, deleteGroupsOutcome, listTable } from '../../../src/tools/consumer-groups.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

const sink = () => {
  let text = '';
  const warned: string[] = [];
  return { io: { out: { write: (s: string | Buffer) => void (text += s.toString()) }, warn: (l: string) => void warned.push(l) }, warned, get text() { return text; } };
};

describe('printView', () => {
  const groups = [
    { groupId: 'billing', state: 'Stable' },
    { groupId: 'a-much-longer-group-name', state: 'Empty' },
  ];
  const table: View = { data: { groups: groups.map((g) => ({ group: g.groupId, state: g.state })) }, text: () => listTable(groups, false, true) };

  it("prints a table view as Kafka's layout", () => {
    const s = sink();
    expect(printView(table, s.io, false)).toBe('Ok');
    expect(s.text).toBe(['GROUP                              STATE               ', 'billing                            Stable              ', 'a-much-longer-group-name           Empty               ', ''].join('\n'));
  });

  it('prints the same view as one JSON document', () => {
    const s = sink();
    printView(table, s.io, true);
    expect(s.text.endsWith('\n')).toBe(true);
    expect(JSON.parse(s.text)).toEqual({ groups: [{ group: 'billing', state: 'Stable' }, { group: 'a-much-longer-group-name', state: 'Empty' }] });
  });

  it('prints lines with a newline each, and returns the outcome', () => {
    const s = sink();
    const result = { deleted: ['a'], failed: [{ group: 'b', error: 'NON_EMPTY_GROUP', message: 'The group is not empty.' }] };
    expect(printView(view(result, deleteGroupsLines, deleteGroupsOutcome([{ error: null }, { error: { code: ErrorCode.NON_EMPTY_GROUP } }])), s.io, false)).toBe('Busy');
    expect(s.text).toBe(
      "\nError: Deletion of some consumer groups failed:\n* Group 'b' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n\nThese consumer groups were deleted successfully: 'a'\n",
    );
  });

  it('sends warnings to stderr with the text, and leaves them out of JSON', () => {
    const v: View = { data: { ok: true }, text: () => ['table'], warnings: () => ["Consumer group 'g' has no active members."] };
    const text = sink();
    printView(v, text.io, false);
    expect(text.warned).toEqual(["Consumer group 'g' has no active members."]);
    expect(text.text).toBe('table\n');
    const json = sink();
    printView(v, json.io, true);
    expect(json.warned).toEqual([]);
  });

  it('never renders the text in JSON mode', () => {
    const s = sink();
    printView({ data: [1], text: () => { throw new Error('text rendered'); } }, s.io, true);
    expect(s.text).toBe('[1]\n');
  });
});

describe('consumer-groups delete outcomes', () => {
  const ok = { error: null };
  const failed = (code: number) => ({ error: { code } });
  it('is not found only when every group is unknown, busy only when every group is in use', () => {
    expect(deleteGroupsOutcome([ok])).toBe('Ok');
    expect(deleteGroupsOutcome([failed(ErrorCode.GROUP_ID_NOT_FOUND)])).toBe('NotFound');
    expect(deleteGroupsOutcome([ok, failed(ErrorCode.NON_EMPTY_GROUP), failed(ErrorCode.NON_EMPTY_GROUP)])).toBe('Busy');
    expect(deleteGroupsOutcome([failed(ErrorCode.NON_EMPTY_GROUP), failed(ErrorCode.GROUP_ID_NOT_FOUND)])).toBe('Failure');
  });
});
