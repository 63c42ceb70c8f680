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
  /**
   * An option given twice keeps its last value, as in Kafka's argparse4j tools (the perf tests,
   * transactions, metadata-quorum, features, cluster) and in kafka-ts's own commands (server,
   * lag, streams, …, as rpk's and kafkactl's flags do: a wrapper may append an override);
   * otherwise a value-taking option that does not collect its values is refused the second time
   * (refuseRepeats), as jopt-simple does in every other tool.
   */
  lastValueWins?: boolean;
  /**
   * The command given with no arguments at all prints its help on stdout and exits 0, as Kafka's
   * argparse4j tools do (producer-perf-test); otherwise it runs and checks its options as usual.
   */
  helpWhenBare?: boolean;
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

/**
 * Kafka's tools (jopt-simple) refuse an option that takes one value when it is given twice
 * ("Found multiple arguments for option topic, but you asked for only one"); commander would keep
 * the last one in silence (`configs --topic a --topic b` described only b). Every value-taking
 * option of `cmd` that does not collect its values (`collect`, variadic) gets that check, around
 * its own parser (choices, numbers). A flag without a value may be repeated, as in jopt.
 */
export function refuseRepeats(cmd: Command): void {
  for (const option of cmd.options) {
    if (!(option.required || option.optional) || option.variadic || option.parseArg === collect) continue;
    const parse = option.parseArg;
    const name = (option.long ?? option.short ?? '').replace(/^-+/, '');
    let given = false;
    option.parseArg = <T>(value: string, previous: T): T => {
      if (typeof value === 'string') {
        if (given) throw new InvalidArgumentError(`Found multiple arguments for option ${name}, but you asked for only one`);
        given = true;
      }
      return parse ? parse(value, previous) : (value as T);
    };
  }
}

