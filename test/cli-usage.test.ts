import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function gilLab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

test('--help lists the commands and exits 0', () => {
  const r = gilLab('--help');
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['tour', 'list', 'run', 'bench']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
});

test('no arguments prints help', () => {
  const r = gilLab();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usage: gil-lab <command>/);
});

test('--version prints the package version', () => {
  const r = gilLab('--version');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('an unknown command exits 2 and names the valid ones', () => {
  const r = gilLab('bogus');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'bogus'/);
  assert.match(r.stderr, /tour, list, run, bench/);
});

test('an unknown top-level flag exits 2 and names the valid ones', () => {
  const r = gilLab('--bogus');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--help, --version/);
});

test("an unknown command flag exits 2 and names the command's options", () => {
  const r = gilLab('run', '--bogus');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--bogus/);
  assert.match(r.stderr, /--workers/);
});

test("<command> --help prints that command's usage", () => {
  const r = gilLab('run', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usage: gil-lab run <experiment>/);
});

test('bench with an unknown suite exits 2 and names the valid suites', () => {
  const r = gilLab('bench', 'no-such-suite');
  // The suites compile to dist-dev (npm test builds them), so the runner is present here.
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /valid suites: .*floor/);
});
