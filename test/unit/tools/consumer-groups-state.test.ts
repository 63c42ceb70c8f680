/**
 * consumer-groups --describe --state: Kafka's layout (%-Cs %-Cs %-20s %-15s %s, C = max(25, the
 * coordinator's length)) when the values fit; a value longer than its column widens that column,
 * so each value stays under its header (a long group id, a unix:// coordinator, a custom
 * assignor's name, CompletingRebalance).
 */
import { describe, expect, it } from 'vitest';
import type { GroupDescription } from '../../../src/client/groups.js';
import { stateTable } from '../../../src/tools/consumer-groups.js';

const group = (over: Partial<GroupDescription>): GroupDescription => ({
  groupId: 'billing',
  state: 'Stable',
  protocolType: 'consumer',
  protocol: 'range',
  members: [],
  coordinator: { nodeId: 1, host: 'localhost', port: 9092 },
  ...over,
});

const HEADERS = ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'];

/** Where each value of the row starts, and where each header does. */
function columns(text: string, values: string[]): { headers: number[]; values: number[] } {
  const [header, row] = text.split('\n').filter((l) => l !== '');
  let from = 0;
  const at = values.map((v) => (from = row!.indexOf(v, from)));
  return { headers: HEADERS.map((h) => header!.indexOf(h)), values: at };
}

describe('consumer-groups --describe --state layout', () => {
  it("is Kafka's when the values fit", () => {
    expect(stateTable(group({}))).toBe(
      '\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n' + 'billing                   localhost:9092  (1)       range                Stable          0\n',
    );
  });

  it('keeps every value under its header when values are longer than their columns', () => {
    const d = group({
      groupId: 'a-consumer-group-with-a-very-long-name-from-some-team-billing-v2',
      state: 'CompletingRebalance',
      protocol: 'org.example.MyCustomAssignor',
      coordinator: { nodeId: 1, host: '/tmp/tmp.LgVAM0EaMj/kafka.sock', port: 0 },
    });
    const text = stateTable(d);
    const { headers, values } = columns(text, [d.groupId, 'unix:///tmp/tmp.LgVAM0EaMj/kafka.sock  (1)', d.protocol, d.state, '0']);
    expect(values, text).toEqual(headers);
  });
});
