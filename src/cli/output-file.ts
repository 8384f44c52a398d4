// Output files named on the command line (--trace, --svg, --html) are checked before anything
// runs: a typo in a path should cost a second, not a finished tour.
import { closeSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  if (!existing) {
    const folder = path.dirname(resolved);
    let isFolder;
    try {
      isFolder = statSync(folder).isDirectory();
    } catch {
      throw new UsageError(`${flag} ${file}: cannot create the file (${folder} does not exist)`);
    }
    if (!isFolder) throw new UsageError(`${flag} ${file}: cannot create the file (${folder} is not a folder)`);
  }
  // Opening the file is the only true test: access(2) says yes to root for any folder, even one
  // where nothing can be created (/proc) or on a read-only file system. A file made for the test
  // is removed again; an existing one is opened without truncating it.
  let fd;
  try {
    fd = openSync(resolved, existing ? 'r+' : 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(
      existing
        ? `${flag} ${file}: the file is not writable (${code})`
        : `${flag} ${file}: cannot create the file in ${path.dirname(resolved)} (${code})`,
    );
  }
  closeSync(fd);
  if (!existing) rmSync(resolved, { force: true });
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
