// A failed output write after a full run (--trace or --svg to a full disk, here /dev/full: ENOSPC)
// used to print a raw stack trace. Now it is one clear line naming the file, and exit 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeOutput } from '#internal/cli/output-file';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-cli-write-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const hasDevFull = existsSync('/dev/full');

function gilLab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** A file name with the right extension that writes to /dev/full (every write fails with ENOSPC). */
function fullDisk(name: string): string {
  const file = path.join(scratch, name);
  symlinkSync('/dev/full', file);
  return file;
}

for (const [flag, experiment, name] of [
  ['--trace', 'io-bound', 'trace.json'],
  ['--svg', 'refcount', 'chart.svg'],
] as const) {
  test(`${flag} to a full disk after a full run: one clear line naming the file, exit 1`, (t) => {
    if (!hasDevFull) return t.skip('/dev/full is not available on this system');
    const file = fullDisk(name);
    const r = gilLab('run', experiment, '--size', 'tiny', '--json', flag, file);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line on stderr:\n${r.stderr}`);
    assert.match(
      lines[0]!,
      new RegExp(`^gil-lab run: cannot write ${flag} ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
    );
    assert.match(lines[0]!, /ENOSPC|no space/i);
  });
}

test('writeOutput names the file and the reason when the write fails', () => {
  const missing = path.join(scratch, 'gone', 'out.json');
  assert.throws(
    () => writeOutput(missing, '{}', '--trace'),
    (error: Error) =>
      error.message.startsWith(`cannot write --trace ${missing}: `) && /ENOENT|no such file/i.test(error.message),
  );
});
