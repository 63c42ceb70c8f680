/**
 * Requests that name the same thing many times are answered once for it (a trial's 5 KB OffsetFetch
 * naming one 10,000-partition group 1,000 times ran the daemon out of heap), and CreateAcls adds
 * each distinct ACL once whatever its size (it checked every new ACL against the whole list).
 */
import { expect, it } from 'vitest';
import offsetFetch from '../../../../src/broker/handlers/09-offset-fetch.js';
import type { GroupService } from '../../../../src/broker/services.js';
import { contextWith } from '../../../helpers/handler-context.js';
import { addBindings } from '../../../../src/broker/security/acl.js';

it('OffsetFetch v8 answers a group named again with the same topics once', async () => {
  const fetched: string[] = [];
  const groups = { fetch: (groupId: string) => (fetched.push(groupId), { errorCode: 0, offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: '' }] }) } as unknown as GroupService;
  const named = [null, null, [{ name: 't', partitionIndexes: [0] }], null].map((topics, i) => ({ groupId: i === 3 ? 'h' : 'g', topics }));
  const res = await offsetFetch.handle({ groups: [...named, named[0]!], requireStable: false }, contextWith({ groups }, 8));
  expect(res!.groups!.map((g) => g.groupId)).toEqual(['g', 'g', 'h']);
  expect(fetched).toEqual(['g', 'g', 'h']);
  expect(res!.groups![0]!.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }]);
});

it('CreateAcls adds each distinct ACL once, those already there and repeats within the request alike', () => {
  const acl = (principal: string) => ({ resourceType: 2, resourceName: 't', patternType: 3, principal, host: '*', operation: 3, permissionType: 3 });
  const existing = addBindings([], [acl('User:a')]);
  const added = addBindings(existing, [acl('User:a'), acl('User:b'), acl('User:b'), ...Array.from({ length: 1000 }, (_, i) => acl(`User:n${i % 500}`))]);
  expect(added.map((b) => b.principal)).toEqual(['User:a', 'User:b', ...Array.from({ length: 500 }, (_, i) => `User:n${i}`)]);
});
