/** broker-api-versions' node line: Kafka's `host:port (id: …)`, and the local daemon's socket as the other tools name it. */
import { describe, expect, it } from 'vitest';
import { apiVersionsView, nodeText } from '../../../src/tools/broker-api-versions.js';

describe('broker-api-versions node line', () => {
  it("is Kafka's host:port for a TCP broker", () => {
    expect(nodeText({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null })).toBe('127.0.0.1:9092 (id: 1 rack: null isFenced: false)');
    expect(nodeText({ nodeId: 2, host: 'kafka-2', port: 9093, rack: 'r1' })).toBe('kafka-2:9093 (id: 2 rack: r1 isFenced: false)');
  });

  it('names a broker of the local daemon by its unix:// socket, not as "<path>:0"', () => {
    const b = { nodeId: 1, host: '/home/u/.local/share/kafka-ts/broker-1.sock', port: 0, rack: null };
    expect(nodeText(b)).toBe('unix:///home/u/.local/share/kafka-ts/broker-1.sock (id: 1 rack: null isFenced: false)');
    expect(apiVersionsView([{ broker: b, apis: null, error: 'refused' }]).text()).toBe('unix:///home/u/.local/share/kafka-ts/broker-1.sock (id: 1 rack: null isFenced: false) -> ERROR: refused\n');
  });
});
