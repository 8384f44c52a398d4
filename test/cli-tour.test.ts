import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

// Until the experiments exist, the tour says so (and exits 1: it did not run a tour) and prints help.
test('tour says it is not built yet and prints help', () => {
  const r = spawnSync(process.execPath, [cli, 'tour'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /tour is not built yet/);
  assert.match(r.stdout, /usage: gil-lab <command>/);
});
