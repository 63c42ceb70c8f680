/**
 * Waits that a stopping owner can cut short all at once: the back-offs between retries of a
 * client or a coordinator, which would otherwise hold its shutdown for up to a back-off each.
 */
export class Naps {
  private readonly waking = new Set<() => void>();

  /** Resolves after `ms`, or at wakeAll(), whichever comes first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waking.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waking.add(done);
    });
  }

  /** Ends every sleep under way. */
  wakeAll(): void {
    for (const wake of [...this.waking]) wake();
  }
}
