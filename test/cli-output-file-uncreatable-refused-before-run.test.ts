// An output file that cannot be created (here in /proc, where no file can be made) must be refused
// before the experiment runs. The check used to ask access(2) whether the folder was writable, which
// always says yes to root: the whole run (a whole tour for --html) went by, then the write failed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const noProc = existsSync('/proc/self') ? false : '/proc is not available on this system';

function gilLab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });
}

for (const [flag, command, file] of [
  ['--svg', ['run', 'startup'], '/proc/gil-lab-chart.svg'],
  ['--trace', ['run', 'io-bound'], '/proc/gil-lab-trace.json'],
  ['--html', ['tour'], '/proc/gil-lab-tour.html'],
] as const) {
  test(
    `${command.join(' ')} ${flag} in a folder where no file can be created: refused before it runs`,
    {
      skip: noProc,
    },
    () => {
      const r = gilLab(...command, '--size', 'tiny', flag, file);
      assert.equal(r.status, 2, `exit status ${r.status}; stderr:\n${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing ran, so nothing is printed');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line on stderr:\n${r.stderr}`);
      assert.ok(lines[0]!.includes(`${flag} ${file}`), lines[0]);
      assert.match(lines[0]!, /cannot create/);
      assert.equal(existsSync(file), false);
    },
  );
}
