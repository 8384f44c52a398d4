// Output files named on the command line (--trace, --svg, --html) are checked before anything
// runs: a typo in a path should cost a second, not a finished tour.
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandFailure, UsageError } from './command.js';

/** Throws a UsageError unless `file` can be created or overwritten. */
export function checkWritable(file: string, flag: string, extension?: string): string {
  if (file.trim() === '') throw new UsageError(`${flag} needs a file name`);
  const resolved = path.resolve(file);
  if (extension !== undefined && !resolved.toLowerCase().endsWith(extension)) {
    throw new UsageError(`${flag} ${file}: the file name must end in ${extension}`);
  }
  let existing;
  try {
    existing = statSync(resolved);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new UsageError(`${flag} ${file}: is a directory, not a file`);
  const target = existing ? resolved : path.dirname(resolved);
  try {
    if (!existing && !statSync(target).isDirectory()) throw new Error('not a directory');
    accessSync(target, constants.W_OK);
  } catch {
    throw new UsageError(
      existing
        ? `${flag} ${file}: the file is not writable`
        : `${flag} ${file}: cannot create the file (${path.dirname(resolved)} does not exist or is not writable)`,
    );
  }
  return resolved;
}

/**
 * Writes an output file named by `flag`. A failure after the run (a full disk, a folder removed
 * meanwhile) is a CommandFailure naming the file: one line, exit 1.
 */
export function writeOutput(file: string, text: string, flag: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommandFailure(`cannot write ${flag} ${file}: ${reason}`);
  }
}
