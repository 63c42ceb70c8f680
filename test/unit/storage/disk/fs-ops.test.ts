/** The testing-only fault plan of src/storage/disk/fs-ops.ts, on real files in a temp dir. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync as realRead, statSync, writeFileSync as realWrite } from 'node:fs';
import { join } from 'node:path';
import { closeSync, faultPlanFromEnv, faultsInjected, fsyncSync, openSync, readSync, setFaultPlan, writeFileSync, writeSync } from '../../../../src/storage/disk/fs-ops.js';
import { tempDir } from '../../../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  setFaultPlan(null);
  for (const c of cleanups.splice(0)) c();
});
function dirs() {
  const t = tempDir('kafka-ts-fsops-');
  cleanups.push(t.cleanup);
  const inside = join(t.dir, 'logs');
  const beside = join(t.dir, 'logs-2'); // a sibling whose name starts like the faulty dir
  mkdirSync(inside);
  mkdirSync(beside);
  return { root: t.dir, inside, beside };
}
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  return null;
};

describe('fault plan', () => {
  it('fails writes and fsyncs on descriptors under the directory only, as node:fs throws', () => {
    const { inside, beside } = dirs();
    const a = openSync(join(inside, 'a.log'), 'w+');
    const b = openSync(join(beside, 'b.log'), 'w+');
    setFaultPlan({ dir: inside, ops: ['write', 'fsync'], error: 'ENOSPC' });
    const e = errorOf(() => writeSync(a, Buffer.from('x'), 0, 1, 0));
    expect(e).toMatchObject({ code: 'ENOSPC', errno: -28, syscall: 'write', message: 'ENOSPC: no space left on device, write' });
    expect(errorOf(() => fsyncSync(a))).toMatchObject({ code: 'ENOSPC', syscall: 'fsync' });
    expect(writeSync(b, Buffer.from('y'), 0, 1, 0)).toBe(1);
    expect(faultsInjected()).toBe(2);
    setFaultPlan(null);
    expect(writeSync(a, Buffer.from('x'), 0, 1, 0)).toBe(1);
    closeSync(a);
    closeSync(b);
  });

  it('writes what fits of spaceBytes (a short write), then fails', () => {
    const { inside } = dirs();
    const path = join(inside, 's.log');
    const fd = openSync(path, 'w+');
    setFaultPlan({ dir: inside, ops: ['write'], error: 'ENOSPC', spaceBytes: 10 });
    expect(writeSync(fd, Buffer.alloc(4, 1), 0, 4, 0)).toBe(4);
    expect(writeSync(fd, Buffer.alloc(20, 2), 0, 20, 4)).toBe(6);
    expect(errorOf(() => writeSync(fd, Buffer.alloc(1), 0, 1, 10))?.code).toBe('ENOSPC');
    expect(statSync(path).size).toBe(10);
    // Whole-file writes do not fit in part.
    expect(errorOf(() => writeFileSync(join(inside, 'cp'), 'z'))).toMatchObject({ code: 'ENOSPC', syscall: 'open', path: join(inside, 'cp') });
    closeSync(fd);
  });

  it('fails opens and reads with EIO, and only while the arming file exists', () => {
    const { root, inside } = dirs();
    const path = join(inside, 'r.log');
    realWrite(path, 'hello');
    const arm = join(root, 'arm');
    setFaultPlan({ dir: inside, ops: ['open', 'read'], error: 'EIO', whileExists: arm });
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(5);
    expect(readSync(fd, buf, 0, 5, 0)).toBe(5);
    realWrite(arm, '');
    expect(errorOf(() => readSync(fd, buf, 0, 5, 0))).toMatchObject({ code: 'EIO', message: 'EIO: i/o error, read' });
    expect(errorOf(() => openSync(path, 'r'))).toMatchObject({ code: 'EIO', message: `EIO: i/o error, open '${path}'` });
    closeSync(fd);
    expect(realRead(path, 'utf8')).toBe('hello');
  });

  it('delays calls without failing them', () => {
    const { inside } = dirs();
    const fd = openSync(join(inside, 'd.log'), 'w+');
    setFaultPlan({ dir: inside, ops: ['write'], delayMs: 50 });
    const t0 = Date.now();
    expect(writeSync(fd, Buffer.from('abc'), 0, 3, 0)).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    closeSync(fd);
  });

  it('validates plans and parses KAFKA_TS_FAULTS', () => {
    expect(() => setFaultPlan({ dir: '/x', ops: ['write'] })).toThrow('a fault plan needs an error or a delayMs');
    expect(() => setFaultPlan({ dir: '/x', ops: ['write'], error: 'EIO', spaceBytes: 3 })).toThrow('spaceBytes');
    expect(faultPlanFromEnv(undefined)).toBeNull();
    expect(faultPlanFromEnv('')).toBeNull();
    expect(faultPlanFromEnv('{"dir":"/d","ops":["write"],"error":"ENOSPC","spaceBytes":5}')).toEqual({
      dir: '/d',
      ops: ['write'],
      error: 'ENOSPC',
      delayMs: undefined,
      whileExists: undefined,
      spaceBytes: 5,
    });
    expect(() => faultPlanFromEnv('{"ops":[]}')).toThrow('KAFKA_TS_FAULTS needs "dir"');
    expect(() => faultPlanFromEnv('x')).toThrow('KAFKA_TS_FAULTS is not JSON: x');
  });
});
