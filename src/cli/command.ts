/**
 * How a command is declared: commander options plus the prose its man page is made of. Command
 * files in commands/ export one CommandSpec each; main registers them and the man-page
 * generator reads the same definitions.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from './context.js';
import type { ExitStatusKey } from './errors.js';

export interface CommandSpec<O = Record<string, unknown>> {
  name: string;
  /** One line for `kafka-ts --help` and the man page NAME section. */
  summary: string;
  /** Usage synopsis lines (after the command name). */
  synopsis?: string[];
  /** Man page DESCRIPTION paragraphs. */
  description: string[];
  /** Man page EXAMPLES: [explanation, command] pairs. */
  examples: [string, string][];
  /**
   * The exit statuses this command can return besides 0 and 2 (every command has those), as keys
   * of the one table in errors.ts; the man page's EXIT STATUS prints their meanings from it.
   */
  exits: ExitStatusKey[];
  /** When this command returns which status, where the table's meanings are not specific enough. */
  exitNotes?: string[];
  /** Deliberate differences from the Kafka script, for README and man pages. */
  differences?: string[];
  /** Adds options and arguments to the commander command. */
  build(cmd: Command): void;
  /**
   * Runs the command; returns how it ended, a key of the exit table (Ok when omitted).
   * `given(name)` tells whether an option was set on the command line rather than left at its
   * default (Kafka's precedence: explicit option > property file > option default). `program` is
   * the whole program, for a command that describes the others (completion).
   */
  run(opts: O, args: string[], ctx: CliContext, given: (option: string) => boolean, program: Command): Promise<ExitStatusKey | void>;
}

export const defineCommand = <O>(spec: CommandSpec<O>): CommandSpec<O> => spec;

/** An option's flag from its key in the parsed options: requestTimeoutMs -> request-timeout-ms. */
export const flagName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Accumulates a repeatable option. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A single-valued option that Kafka refuses to see twice. */
export function single(name: string) {
  return (value: string, previous: unknown): string => {
    if (previous !== undefined) throw new InvalidArgumentError(`Found multiple arguments for option ${name}, but you asked for only one`);
    return value;
  };
}

