// The subcommands of `gil-lab`, in the order `--help` lists them. One line per command.
import type { CliCommand } from './command.js';
import { tourCommand } from './tour.js';
import { listCommand } from './list.js';
import { runCommand } from './run.js';
import { benchCommand } from './bench.js';

// One entry per line, so each addition is a one-line change (hence prettier-ignore).
// prettier-ignore
export const commands: readonly CliCommand[] = [
  tourCommand,
  listCommand,
  runCommand,
  benchCommand,
];
