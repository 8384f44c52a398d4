import type { ParseArgsConfig } from 'node:util';

/** What a command gets: its parsed options and positionals, and where to write. */
export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The top-level help text, for commands that print it. */
  help: () => string;
}

/** One `gil-lab <name>` subcommand. Add new ones to the list in ./commands.ts. */
export interface CliCommand {
  name: string;
  /** One line for `gil-lab --help`. */
  summary: string;
  /** Usage line(s) after `gil-lab `, e.g. `run <experiment> [--workers N]`. */
  usage: string;
  /** Options for node:util parseArgs (strict); `--help` is added to every command. */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether the command takes positional arguments. */
  allowPositionals: boolean;
  /** Help for what the positionals name (e.g. `run <experiment> --help`); undefined: the usage line. */
  help?(positionals: readonly string[]): string | undefined;
  /** Returns the process exit status. */
  run(context: CommandContext): Promise<number> | number;
}

/** Raised by a command for bad usage; the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Raised by a command for a failure that is not a bug (an experiment that could not run, an output
 * file that could not be written); the CLI prints the message as one line and exits with status 1.
 */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}
