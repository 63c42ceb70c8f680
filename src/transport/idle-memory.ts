/**
 * Memory given back after load.
 *
 * Under load V8 promotes what outlives a young-generation collection (requests in flight, answers
 * waiting for slow readers) and grows its old generation; with no major collection due, the heap
 * and the external buffers it keeps alive stay mapped long after the load is gone. When the
 * process has handled requests and then none for IDLE_MS, the pooled read buffers are let go and
 * V8 collects the whole heap once: nobody is waiting, so the pause costs nothing, and malloc
 * returns the freed buffers to the system (the daemon's malloc settings, see local-daemon.ts).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readBuffers } from '../util/read-buffers.js';

const IDLE_MS = 2000;
let lastRequest = 0;
let busy = false;
let timer: NodeJS.Timeout | null = null;
let collect: (() => void) | null | undefined;
/** Told when requests start coming after a quiet spell (true) and when they stop (false). */
const busyListeners = new Set<(busy: boolean) => void>();

/** V8's full collection (exposed for a new context only), or null where it cannot be had. */
function fullCollection(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

function check() {
  if (!busy || performance.now() - lastRequest < IDLE_MS) return;
  busy = false;
  // An idle process wakes for nothing of ours: the timer is armed again by the next request.
  clearInterval(timer!);
  timer = null;
  readBuffers.clear();
  fullCollection()?.();
  for (const f of busyListeners) f(false);
}

/** A request was handled: memory is looked at again once requests stop for a while. */
export function noteRequest() {
  lastRequest = performance.now();
  if (busy) return;
  busy = true;
  timer = setInterval(check, IDLE_MS / 2);
  timer.unref();
  for (const f of busyListeners) f(true);
}

/**
 * Calls `listener` whenever the process turns busy (a request after IDLE_MS without one) or idle
 * again; returns the function that stops it. Work worth doing only while requests are handled
 * (sampling what delays them) follows this instead of waking an idle process.
 */
export function onBusyChange(listener: (busy: boolean) => void): () => void {
  busyListeners.add(listener);
  return () => busyListeners.delete(listener);
}

/** Whether a request was handled within the last IDLE_MS. */
export function isBusy(): boolean {
  return busy;
}
