/**
 * The process's busy/idle signal (src/transport/idle-memory.ts): the daemon samples event-loop
 * delay only while busy, and an idle process keeps no timer of this module.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { isBusy, noteRequest, onBusyChange } from '../../../src/transport/idle-memory.js';

afterEach(() => void vi.useRealTimers());

it('tells its listeners when requests start after a quiet spell and when they have stopped; idle, it keeps no timer', () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  const seen: boolean[] = [];
  const stop = onBusyChange((busy) => seen.push(busy));
  expect(isBusy()).toBe(false);
  noteRequest();
  vi.advanceTimersByTime(1500);
  noteRequest();
  expect(seen).toEqual([true]);
  expect(vi.getTimerCount()).toBe(1);
  // Not idle until 2 s after the last request.
  vi.advanceTimersByTime(1500);
  expect(seen).toEqual([true]);
  vi.advanceTimersByTime(1500);
  expect(seen).toEqual([true, false]);
  expect(isBusy()).toBe(false);
  expect(vi.getTimerCount()).toBe(0);
  noteRequest();
  expect(seen).toEqual([true, false, true]);
  stop();
  vi.advanceTimersByTime(5000);
  // A listener that stopped hears nothing more.
  expect(seen).toEqual([true, false, true]);
  expect(vi.getTimerCount()).toBe(0);
});
