/**
 * Turns of request handling across connections (one event loop serves every connection).
 *
 * Each turn of the event loop gets a slice of time for request handling. Past it, a connection
 * that wants to handle another request waits for the next turn, and connections waiting take
 * their turns in the order they began waiting: one that was just served asks again only after
 * its request, so it goes behind those that were not. However many connections are busy, a turn
 * then holds the loop for about one slice (plus the request that crossed it), and a request
 * arriving on another connection waits about one turn, not one request of every busy connection.
 */
export class TurnScheduler {
  private sliceStart = -1;
  private armed = false;
  /** Waiting for the next turn, in the order they began waiting. */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
    /** Runs `f` in the next turn of the event loop (its check phase). */
    private readonly nextTurn: (f: () => void) => void = (f) => void setImmediate(f),
  ) {}

  /** Whether this turn's slice is spent (the first call of a turn starts it). */
  spent(): boolean {
    const now = this.now();
    if (this.sliceStart < 0) {
      this.sliceStart = now;
      this.arm();
      return false;
    }
    return now - this.sliceStart >= this.sliceMs;
  }

  /**
   * Null when this turn's slice has room for one more request; else a promise of the next turn,
   * after which the caller asks again. Synchronous on purpose: the caller starts its request in
   * the same run as the answer (an async check would let every waiter pass before any works).
   */
  wait(): Promise<void> | null {
    if (!this.spent()) return null;
    return new Promise<void>((resume) => {
      this.waiting.push(resume);
      this.arm();
    });
  }

  /** How many wait for the next turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private arm() {
    if (this.armed) return;
    this.armed = true;
    this.nextTurn(() => this.begin());
  }

  /** A new turn: a new slice, and every waiter resumes in order to ask again. */
  private begin() {
    this.armed = false;
    this.sliceStart = -1;
    const resumed = this.waiting;
    this.waiting = [];
    // They resume in this order (microtasks); those that find the slice spent again queue up in
    // the same order, ahead of the ones served now (which ask only after their request).
    for (const resume of resumed) resume();
  }
}
