/**
 * The process's busy/idle signal (src/transport/idle-memory.ts): the daemon samples event-loop
 * delay only while busy, so an idle daemon is not woken fifty times a second for it.
 */
import { expect, it } from 'vitest';
import { isBusy, noteRequest, onBusyChange } from '../../../src/transport/idle-memory.js';
import { waitUntil } from '../../helpers/broker.js';

it('tells its listeners when requests start after a quiet spell and when they have stopped', async () => {
  const seen: boolean[] = [];
  const stop = onBusyChange((busy) => seen.push(busy));
  expect(isBusy()).toBe(false);
  noteRequest();
  noteRequest();
  expect(seen).toEqual([true]);
  expect(isBusy()).toBe(true);
  // Idle two seconds after the last request (checked every second).
  await waitUntil(`idle (seen ${JSON.stringify(seen)})`, () => seen.length === 2, 10_000);
  expect(seen).toEqual([true, false]);
  expect(isBusy()).toBe(false);
  noteRequest();
  expect(seen).toEqual([true, false, true]);
  stop();
  await waitUntil('idle again', () => !isBusy(), 10_000);
  // A listener that stopped hears nothing more.
  expect(seen).toEqual([true, false, true]);
});
