// A flag given twice (`--workers 2 --workers 3`) used to be taken silently as its last value; it is
// a usage error (exit 2) naming the flag, before anything runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function gilLab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('a flag given twice is a usage error naming the flag (exit 2)', () => {
  for (const [args, flag] of [
    [['run', 'refcount', '--size', 'tiny', '--workers', '2', '--workers', '3'], '--workers'],
    [['run', 'refcount', '--workers=2', '--size', 'tiny', '--workers', '2'], '--workers'],
    [['list', '--json', '--json'], '--json'],
    [['tour', '--size', 'tiny', '--size', 'small'], '--size'],
  ] as const) {
    const r = gilLab(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${flag} was given more than once`), args.join(' '));
    assert.equal(r.stdout, '', `${args.join(' ')} ran anyway`);
  }
});
