/** Preferences kept with conf in a config directory: saved, read back, and tolerant of damage. */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPrefs } from '../../../src/cli/prefs.js';
import { tempDir } from '../../helpers/tmp.js';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe('openPrefs', () => {
  it('keeps a value between runs in KAFKA_TS_CONFIG_DIR/preferences.json', async () => {
    const t = tempDir();
    dirs.push(t);
    const env = { KAFKA_TS_CONFIG_DIR: t.dir };
    (await openPrefs(env)).set('lag.sort', 'time-lag');
    expect(JSON.parse(readFileSync(join(t.dir, 'preferences.json'), 'utf8'))).toEqual({ lag: { sort: 'time-lag' } });
    expect((await openPrefs(env)).get('lag.sort')).toBe('time-lag');
  });

  it('starts from defaults when the file is damaged', async () => {
    const t = tempDir();
    dirs.push(t);
    writeFileSync(join(t.dir, 'preferences.json'), '{not json');
    const prefs = await openPrefs({ KAFKA_TS_CONFIG_DIR: t.dir });
    expect(prefs.get('lag.sort')).toBeUndefined();
    prefs.set('lag.sort', 'name');
    expect((await openPrefs({ KAFKA_TS_CONFIG_DIR: t.dir })).get('lag.sort')).toBe('name');
  });
});
