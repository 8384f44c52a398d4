// `gil-lab run <experiment>` takes only the options that experiment uses: `run refcount --kernel
// mandelbrot` used to run refcount and silently ignore the kernel; now it exits 2 with the list of
// options refcount takes. `run <experiment> --help` lists exactly those options, the kernels and
// what each policy means.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '#internal/cli/main';
import { OPTION_FLAGS, POLICY_MEANINGS, KERNEL_MEANINGS } from '#internal/cli/experiment-help';
import { experiments } from '#internal/experiments/registry';
import { EXPERIMENT_OPTION_NAMES } from '#internal/experiments/types';

async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

test('run refcount --kernel mandelbrot is refused (exit 2) with the options refcount takes, before it runs', async () => {
  const r = await cli('run', 'refcount', '--kernel', 'mandelbrot', '--json');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /refcount does not use --kernel; it takes --workers, --policy, --switch-interval-ms, --size/);
});

test('every experiment declares its options, and refuses each option it does not take', async () => {
  const values: Record<string, string> = {
    workers: '2',
    policy: 'cpython',
    'switch-interval-ms': '5',
    size: 'tiny',
    kernel: 'countPrimes',
  };
  for (const experiment of experiments) {
    assert.ok(experiment.takes, `${experiment.name} does not say which options it takes`);
    for (const name of EXPERIMENT_OPTION_NAMES.filter((n) => !experiment.takes!.includes(n))) {
      const flag = OPTION_FLAGS[name];
      const r = await cli('run', experiment.name, `--${flag}`, values[flag]!);
      assert.equal(r.status, 2, `${experiment.name} --${flag}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${experiment.name} does not use --${flag}`));
    }
  }
});

test('run <experiment> --help lists exactly the options it takes, the kernels and the policies', async () => {
  for (const experiment of experiments) {
    const r = await cli('run', experiment.name, '--help');
    assert.equal(r.status, 0, r.stderr);
    const optionsPart = r.stdout.split('\noptions:\n')[1]!.split('\n  --json')[0]!;
    for (const name of EXPERIMENT_OPTION_NAMES) {
      const listed = new RegExp(`^  --${OPTION_FLAGS[name]} `, 'm').test(optionsPart);
      assert.equal(listed, experiment.takes!.includes(name), `${experiment.name} --help and --${OPTION_FLAGS[name]}`);
    }
    if (experiment.takes!.includes('policy')) {
      for (const [policy, meaning] of Object.entries(POLICY_MEANINGS)) {
        assert.match(r.stdout, new RegExp(`^ +${policy} +\\S`, 'm'), `${experiment.name}: policy ${policy}`);
        assert.ok(
          r.stdout.replace(/\s+/g, ' ').includes(meaning.slice(0, 30)),
          `${experiment.name}: ${policy}'s meaning`,
        );
      }
    }
    if (experiment.takes!.includes('kernel')) {
      for (const kernel of Object.keys(KERNEL_MEANINGS)) assert.match(r.stdout, new RegExp(`^ +${kernel} `, 'm'));
    }
  }
  const refcount = await cli('run', 'refcount', '--help');
  assert.doesNotMatch(refcount.stdout, /--kernel K/);
  assert.match(refcount.stdout, /Not used here \(refused\): --kernel\./);
});

test('run --help without an experiment still prints the usage; an unknown one is a usage error', async () => {
  const plain = await cli('run', '--help');
  assert.equal(plain.status, 0);
  assert.match(plain.stdout, /usage: gil-lab run <experiment>/);
  const unknown = await cli('run', 'nope', '--help');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown experiment 'nope'/);
});
