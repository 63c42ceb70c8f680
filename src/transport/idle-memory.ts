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
  readBuffers.clear();
  fullCollection()?.();
}

/** A request was handled: memory is looked at again once requests stop for a while. */
export function noteRequest() {
  lastRequest = performance.now();
  busy = true;
  if (!timer) {
    timer = setInterval(check, IDLE_MS / 2);
    timer.unref();
  }
}
