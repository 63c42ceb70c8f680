/**
 * Admin.describeConfigs asks in batches of DESCRIBE_CONFIGS_BATCH resources per request (one
 * request naming every topic of a 24,000-topic cluster ran the daemon out of heap), each broker's
 * own resources to that broker, and merges the answers as one.
 */
import { describe, expect, it } from 'vitest';
import { Admin, DESCRIBE_CONFIGS_BATCH } from '../../../src/client/admin.js';
import type { KafkaClient } from '../../../src/client/client.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../../../src/protocol/apis/index.js';

/** A client answering DescribeConfigs with one config per resource (its name as the value), recording each request. */
function recordingClient(failName?: string) {
  const requests: { target: unknown; names: string[] }[] = [];
  const client = {
    async send(target: unknown, _api: unknown, req: DescribeConfigsRequest): Promise<{ body: DescribeConfigsResponse }> {
      requests.push({ target, names: req.resources.map((r) => r.resourceName) });
      const results = req.resources.map((r) => ({
        errorCode: r.resourceName === failName ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
        errorMessage: r.resourceName === failName ? `Topic ${r.resourceName} does not exist.` : null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [{ name: 'n', value: r.resourceName, readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [], configType: 2, documentation: null }],
      }));
      return { body: { throttleTimeMs: 0, results } };
    },
  };
  return { admin: new Admin(client as unknown as KafkaClient), requests };
}

describe('Admin.describeConfigs', () => {
  it(`asks at most ${DESCRIBE_CONFIGS_BATCH} resources a request, a broker's own to that broker, and answers every resource`, async () => {
    const { admin, requests } = recordingClient();
    const topics = Array.from({ length: 2 * DESCRIBE_CONFIGS_BATCH + 1 }, (_, i) => ({ type: 2, name: `t${i}` }));
    const out = await admin.describeConfigs([...topics, { type: 4, name: '1' }, { type: 4, name: '' }], true);
    expect(requests.map((r) => [r.target, r.names.length])).toEqual([
      ['any', DESCRIBE_CONFIGS_BATCH],
      ['any', DESCRIBE_CONFIGS_BATCH],
      ['any', 2], // the last topic and the cluster default ("")
      [1, 1],
    ]);
    expect(requests.flatMap((r) => r.names).sort()).toEqual([...topics.map((t) => t.name), '1', ''].sort());
    expect(out.size).toBe(topics.length + 2);
    expect(out.get('2:t1000')?.[0]?.value).toBe('t1000');
    expect(out.get('4:1')?.[0]?.value).toBe('1');
  });

  it('fails with the error of a resource in a later batch', async () => {
    const { admin, requests } = recordingClient(`t${DESCRIBE_CONFIGS_BATCH + 3}`);
    const topics = Array.from({ length: DESCRIBE_CONFIGS_BATCH + 10 }, (_, i) => ({ type: 2, name: `t${i}` }));
    await expect(admin.describeConfigs(topics)).rejects.toThrow(`Topic t${DESCRIBE_CONFIGS_BATCH + 3} does not exist.`);
    expect(requests).toHaveLength(2);
  });
});
