import { closeSync, openSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fdTableSize } from '../../../src/transport/server.js';

describe('fdTableSize (the bound a daemon checks before counting its descriptors)', () => {
  it('reads FDSize from a status text, and is unknown without one', () => {
    expect(fdTableSize(() => 'Name:\tnode\nFDSize:\t4096\nVmPeak:\t1 kB\n')).toBe(4096);
    expect(fdTableSize(() => 'Name:\tnode\n')).toBeNull();
    expect(
      fdTableSize(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
  });

  it.runIf(process.platform === 'linux')('is never below the number of open descriptors, as they grow', () => {
    const fds: number[] = [];
    try {
      for (const more of [0, 100, 400]) {
        for (let i = 0; i < more; i++) fds.push(openSync('/dev/null', 'r'));
        const open = readdirSync('/proc/self/fd').length;
        const table = fdTableSize();
        expect(table, `${open} open`).not.toBeNull();
        expect(table!).toBeGreaterThanOrEqual(open);
      }
    } finally {
      fds.forEach((fd) => closeSync(fd));
    }
  });
});
