/**
 * Small user preferences kept between runs (the lag watcher's sort order), stored with `conf` in
 * the user's config directory ($XDG_CONFIG_HOME/kafka-ts, or $KAFKA_TS_CONFIG_DIR). Preferences
 * are a convenience: when the store cannot be read or written they fall back to defaults.
 */
export interface Prefs {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export async function openPrefs(env: NodeJS.ProcessEnv = process.env): Promise<Prefs> {
  try {
    const { default: Conf } = await import('conf');
    const store = new Conf<Record<string, string>>({
      projectName: 'kafka-ts',
      projectSuffix: '',
      configName: 'preferences',
      cwd: env.KAFKA_TS_CONFIG_DIR || undefined,
      clearInvalidConfig: true,
    });
    return {
      get: (key) => {
        const v = store.get(key);
        return typeof v === 'string' ? v : undefined;
      },
      set: (key, value) => {
        try {
          store.set(key, value);
        } catch {
          /* read-only config directory: keep going without saving */
        }
      },
    };
  } catch {
    const memory = new Map<string, string>();
    return { get: (k) => memory.get(k), set: (k, v) => void memory.set(k, v) };
  }
}
