// A /dev/shm smaller than a segment (Docker's default is 64 MiB): SharedMemory.create() used to only
// set the size, so the first write past the free space killed the process with SIGBUS ("Bus error"
// from `gil-lab run ipc` and `tour`), leaving the segment behind. Now the space is reserved at
// create time and a shortfall is a clean ENOSPC error that says how large /dev/shm is, with nothing
// left behind. Each case runs in a private mount namespace with a small tmpfs on /dev/shm; where
// the machine does not allow that (not root, no unshare, a seccomp profile), the test is skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const indexUrl = new URL('../../dist/index.js', import.meta.url).href;
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-small-shm-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `argv` with a `size` tmpfs on /dev/shm in a private mount namespace. */
function withSmallDevShm(size: string, argv: string[]) {
  return spawnSync(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount -t tmpfs -o size=${size} tmpfs /dev/shm && exec "$@"`,
      'sh',
      ...argv,
    ],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
}

/** Why a private small /dev/shm cannot be had here, or undefined when it can. */
function cannotMount(): string | undefined {
  if (process.platform !== 'linux') return 'mount namespaces are Linux-only';
  const probe = withSmallDevShm('1m', ['true']);
  if (probe.error) return `unshare is not available (${probe.error.message})`;
  if (probe.status !== 0) return `unshare -m / mount tmpfs is not permitted here: ${probe.stderr.trim()}`;
  return undefined;
}
const skipReason = cannotMount();

const script = `
import { readdirSync } from 'node:fs';
import { SharedMemory } from ${JSON.stringify(indexUrl)};
const MiB = 1024 * 1024;
const report = {};
try {
  const shm = SharedMemory.create(16 * MiB);
  shm.view(Uint8Array).fill(1);
  report.outcome = 'created and filled';
} catch (error) {
  report.outcome = 'error';
  report.name = error.name;
  report.code = error.code;
  report.message = error.message;
}
report.leftover = readdirSync('/dev/shm');
// What fits still works, and fills without a fault.
const fits = SharedMemory.create(256 * 1024);
fits.view(Uint8Array).fill(2);
report.smallOk = fits.view(Uint8Array)[256 * 1024 - 1] === 2;
fits.close();
fits.unlink();
console.log(JSON.stringify(report));
`;

test('SharedMemory.create() larger than a small /dev/shm is a clean ENOSPC error, not SIGBUS', (t) => {
  if (skipReason) return t.skip(skipReason);
  const file = path.join(scratch, 'create-16mib.mjs');
  writeFileSync(file, script);
  const child = withSmallDevShm('1m', [process.execPath, file]);
  assert.equal(child.signal, null, `the process was killed by ${child.signal}: ${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 0, child.stderr.slice(-2000));
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(report.outcome, 'error', JSON.stringify(report));
  assert.equal(report.code, 'ENOSPC');
  assert.match(String(report.message), /16(\.0)? MiB/, 'the message says how much was asked for');
  assert.match(String(report.message), /\/dev\/shm/, 'the message names /dev/shm');
  assert.match(String(report.message), /1(\.0)? MiB/, 'the message says how large /dev/shm is');
  assert.match(String(report.message), /--shm-size/, 'the message says what to do');
  assert.deepEqual(report.leftover, [], 'the half-made segment was left in /dev/shm');
  assert.equal(report.smallOk, true);
});

test('`gil-lab run ipc` on a small /dev/shm fails with one clear line and exit 1, not "Bus error"', (t) => {
  if (skipReason) return t.skip(skipReason);
  // tiny sizes: a 1 KiB and a 64 KiB payload; 48 KiB of /dev/shm holds the pools' control blocks
  // and the first payload, not the second.
  const child = withSmallDevShm('48k', [process.execPath, cli, 'run', 'ipc', '--size', 'tiny']);
  assert.equal(child.signal, null, `the CLI was killed by ${child.signal}: ${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 1, `exit status: ${child.status}\n${child.stderr}`);
  const lines = child.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${child.stderr}`);
  assert.match(lines[0]!, /^gil-lab run: ipc failed: .*\/dev\/shm/);
  assert.doesNotMatch(child.stderr, /\n\s+at /, 'no stack trace');
});
