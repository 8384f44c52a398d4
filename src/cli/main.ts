// `gil-lab [--help | --version] <command> [options]`: parses the command line and dispatches to
// the commands listed in ./commands.ts. Exit status: the command's, or 2 for bad usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CommandContext } from './command.js';
import { commands } from './commands.js';
import { expandAgainstCpython } from '../cpython/cli.js';
import { experimentNames } from '../experiments/registry.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'gil-lab: threads or processes, and why? Measures the claims about the GIL on this machine.',
    '',
    'usage: gil-lab <command> [options]',
    '       gil-lab --help | --version',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `gil-lab <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  return `usage: gil-lab ${command.usage}\n\n${command.summary}\n`;
}

function optionNames(command: CliCommand): string {
  return [...Object.keys(command.options), 'help'].map((o) => `--${o}`).join(', ');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  const validCommands = commands.map((c) => c.name).join(', ');
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (first.startsWith('-')) {
    io.stderr(`gil-lab: unknown option '${first}'; valid options: --help, --version; commands: ${validCommands}\n`);
    return 2;
  }
  const command = commands.find((c) => c.name === first);
  if (command === undefined) {
    io.stderr(`gil-lab: unknown command '${first}'; valid commands: ${validCommands}\n`);
    return 2;
  }

  const options: CliCommand['options'] = { ...command.options, help: { type: 'boolean', short: 'h' } };
  let parsed;
  try {
    parsed = parseArgs({
      args: 'against-cpython' in command.options ? expandAgainstCpython(rest, experimentNames()) : [...rest],
      options,
      allowPositionals: command.allowPositionals,
      strict: true,
      tokens: true,
    });
    // parseArgs keeps the last of a repeated option; `--workers 2 --workers 3` is a mistake to point out.
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
      if (seen.has(token.name)) throw new UsageError(`--${token.name} was given more than once`);
      seen.add(token.name);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`gil-lab ${command.name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`gil-lab ${command.name}: ${message}\nvalid options: ${optionNames(command)}\n${commandHelp(command)}`);
    return 2;
  }
  if (parsed.values.help === true) {
    try {
      io.stdout(command.help?.(parsed.positionals) ?? commandHelp(command));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`gil-lab ${command.name}: ${error.message}\n`);
      return 2;
    }
    return 0;
  }
  const context: CommandContext = {
    values: parsed.values,
    positionals: parsed.positionals,
    stdout: io.stdout,
    stderr: io.stderr,
    help: helpText,
  };
  try {
    return await command.run(context);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`gil-lab ${command.name}: ${error.message}\n`);
      return 2;
    }
    // A CommandFailure, or anything else that escaped: one line, not a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`gil-lab ${command.name}: ${message}\n`);
    return 1;
  }
}
