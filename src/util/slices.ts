/**
 * Background passes over many items (a broker's partitions) done in slices: synchronous work on
 * one item at a time, at most `sliceMs` of it between two turns of the event loop, so that the
 * requests arriving meanwhile are answered within about that long instead of after the whole pass.
 */

/** The clock is read after every this many items (after every item with a slice of 0 ms). */
const CLOCK_EVERY = 8;

export interface SlicedPass {
  /** Resolves when every item was done or the pass stopped. */
  readonly done: Promise<void>;
  /** Stops the pass before its next item (the one under way finishes). */
  cancel(): void;
}

/**
 * Runs `work` on each item in order, the first slice at once; `going()` is asked before each item
 * (false stops the pass). A slice ends once it has run `sliceMs()` or more (0: one item a slice).
 * An item whose work throws ends the pass there: in the first slice the error is thrown to the
 * caller, in a later one it goes to `onLaterError`.
 */
export function inSlices<T>(
  items: readonly T[],
  work: (item: T) => void,
  sliceMs: () => number,
  going: () => boolean = () => true,
  /** Told of an error thrown in a later slice (default: thrown, an uncaught error as in any timer). */
  onLaterError: (e: unknown) => void = (e) => {
    throw e;
  },
): SlicedPass {
  let cancelled = false;
  let next = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const more = () => next < items.length && !cancelled && going();
  const slice = (later: boolean) => {
    const until = performance.now() + sliceMs();
    try {
      // The clock is read every few items: most items of a pass cost less than reading it
      // (10,000 idle partitions made one checkpoint pass ~30 ms instead of a few).
      const everyItem = sliceMs() <= 0;
      for (let n = 1; more(); n++) {
        work(items[next++]!);
        if ((everyItem || n % CLOCK_EVERY === 0) && performance.now() >= until) break;
      }
    } catch (e) {
      // The pass ends with the item that threw (a later pass starts afresh).
      finished();
      if (!later) throw e;
      return onLaterError(e);
    }
    // Not unref'd: with only unref'd immediates pending the event loop waits in poll for the next
    // I/O or timer, so an idle daemon did one slice per timer tick (5 partitions a second). A
    // pass holds a process up no longer than it runs; stopping a broker cancels its passes.
    if (more()) setImmediate(slice, true);
    else finished();
  };
  slice(false);
  return {
    done,
    cancel: () => {
      cancelled = true;
    },
  };
}

/**
 * Runs the rest of a generator's steps (each a short piece of synchronous work) to its end, at
 * most `sliceMs` of them between two turns of the event loop; resolves with what it returns, or
 * rejects with what a step throws.
 */
export function stepsInSlices<T>(steps: Iterator<unknown, T>, sliceMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const slice = () => {
      const until = performance.now() + sliceMs;
      try {
        for (;;) {
          const step = steps.next();
          if (step.done) return resolve(step.value);
          if (performance.now() >= until) break;
        }
      } catch (e) {
        return reject(e as Error);
      }
      setImmediate(slice);
    };
    setImmediate(slice);
  });
}

/**
 * For a handler's loop over many items (topics to create): the returned function resolves at
 * once, or after a turn of the event loop when `sliceMs` passed since the last one, so requests
 * arriving meanwhile are answered.
 */
export function turnTaker(sliceMs: number): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since <= sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
