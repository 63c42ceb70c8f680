/** kafka-ts context: its options and verbs. */
export interface ContextOptions {
  bootstrapServer?: string;
  commandConfig?: string;
  property?: string[];
  force?: boolean;
  use?: boolean;
  none?: boolean;
  output: 'text' | 'json';
}

export const CONTEXT_VERBS = ['add', 'use', 'list', 'show', 'remove', 'current'] as const;
export type ContextVerb = (typeof CONTEXT_VERBS)[number];

/** Verb aliases users of kubectl and rpk type. */
export const VERB_ALIASES: Record<string, ContextVerb> = { ls: 'list', rm: 'remove', delete: 'remove', describe: 'show', create: 'add', set: 'add' };

/** Which options each verb takes (others are usage errors). */
export const VERB_OPTIONS: Record<ContextVerb, (keyof ContextOptions)[]> = {
  add: ['bootstrapServer', 'commandConfig', 'property', 'force', 'use'],
  use: ['none'],
  list: [],
  show: [],
  remove: [],
  current: [],
};

export const FLAG_NAMES: Partial<Record<keyof ContextOptions, string>> = {
  bootstrapServer: '--bootstrap-server',
  commandConfig: '--command-config',
  property: '--property',
  force: '--force',
  use: '--use',
  none: '--none',
};
