// `gil-lab run`: an experiment that fails (e.g. `run convoy --switch-interval-ms 10000`, whose CPU
// threads "did not start within 10 s") used to print a raw stack trace. Now it is one clear line and
// exit 1, as in `tour`; and values that cannot work are refused before anything runs (exit 2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '#internal/cli/main';
import { experiments } from '#internal/experiments/registry';
import type { Experiment } from '#internal/experiments/types';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs main() in-process with an extra experiment in the registry that fails when run. */
async function runWithFailingExperiment(error: unknown): Promise<{ status: number; stdout: string; stderr: string }> {
  const failing: Experiment = {
    name: 'failing-for-test',
    question: 'Does a failing experiment end the CLI cleanly?',
    claim: 'It does.',
    inCpython: 'Not a CPython claim: a test of the CLI.',
    narrative: '',
    columns: [],
    traceable: false,
    run: () => Promise.reject(error),
  };
  const registry = experiments as Experiment[];
  registry.push(failing);
  let stdout = '';
  let stderr = '';
  try {
    const status = await main(['run', 'failing-for-test', '--size', 'tiny'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { status, stdout, stderr };
  } finally {
    registry.splice(registry.indexOf(failing), 1);
  }
}

test('an experiment that fails inside `run` prints one clear line and exits 1, no stack trace', async () => {
  const r = await runWithFailingExperiment(new Error('convoy: the CPU threads did not start within 10 s'));
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'gil-lab run: failing-for-test failed: convoy: the CPU threads did not start within 10 s\n');
  assert.equal(r.stdout, '');
});

test('a non-Error thrown inside `run` is reported the same way', async () => {
  const r = await runWithFailingExperiment('a string');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'gil-lab run: failing-for-test failed: a string\n');
});

test('`run convoy --switch-interval-ms 10000` is refused before running (exit 2), not a failure 30 s later', () => {
  const r = spawnSync(process.execPath, [cli, 'run', 'convoy', '--switch-interval-ms', '10000'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.error, undefined, 'the CLI ran the experiment instead of refusing the value');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^gil-lab run: --switch-interval-ms 10000 .*convoy/);
  assert.match(r.stderr, /at most \d+/, 'the message says what would work');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.equal(r.stdout, '');
});
