/**
 * Kafka's tools pick their action from exactly one flag (`--create`, `--list`, …); kafka-ts also
 * takes it as a verb (`topics create`). One dispatcher does both for every command, with Kafka's
 * "exactly one of" usage errors.
 */
import { UsageError } from './errors.js';

export interface ActionChoice<K extends string> {
  /** The option key commander gives the flag (`resetOffsets` for --reset-offsets). */
  key: K;
  /** Verbs naming the same action (`reset`, `reset-offsets`). */
  verbs: readonly string[];
}

export interface DispatchMessages {
  /** No action given, or more than one flag. */
  exactlyOne: string;
  /** A first argument that names no action. */
  unknownVerb: (verb: string) => string;
}

/**
 * The action a command line asks for, from its flags (`o[key]` set) or else from its first
 * argument; `rest` are the arguments after a verb.
 */
export function pickAction<K extends string>(
  o: Partial<Record<K, unknown>>,
  args: string[],
  actions: readonly ActionChoice<K>[],
  messages: DispatchMessages,
): { action: K; rest: string[]; byVerb: boolean } {
  const flagged = actions.filter((a) => o[a.key]);
  if (flagged.length > 1) throw new UsageError(messages.exactlyOne);
  if (flagged.length === 1) {
    // `topics create vv --create`: a verb and an action flag are two ways of saying the action.
    const verb = args[0];
    if (verb !== undefined && actions.some((a) => a.verbs.includes(verb))) {
      throw new UsageError(`the verb '${verb}' and the option --${flagged[0]!.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} cannot be combined: name the action once, as a verb or as an option`);
    }
    return { action: flagged[0]!.key, rest: args, byVerb: false };
  }
  const verb = args[0];
  if (verb === undefined) throw new UsageError(messages.exactlyOne);
  const chosen = actions.find((a) => a.verbs.includes(verb));
  if (!chosen) throw new UsageError(messages.unknownVerb(verb));
  return { action: chosen.key, rest: args.slice(1), byVerb: true };
}
