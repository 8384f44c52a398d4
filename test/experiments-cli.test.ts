// `gil-lab list` and `gil-lab run`: exit codes, messages for bad input (before anything runs), and
// the documented --json shape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const EXPERIMENTS = [
  'cpu-bound',
  'legacy-gil',
  'io-bound',
  'convoy',
  'switch-interval',
  'refcount',
  'memory-bound',
  'startup',
  'ipc',
  'kill',
];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function gilLab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

test('list names every experiment with its question; --json gives them as data', () => {
  const r = gilLab('list');
  assert.equal(r.status, 0, r.stderr);
  for (const name of EXPERIMENTS) assert.match(r.stdout, new RegExp(`│ ${name} `));
  const json = gilLab('list', '--json');
  assert.equal(json.status, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { name: string; question: string; claim: string }[];
  assert.deepEqual(
    list.map((e) => e.name),
    EXPERIMENTS,
  );
  for (const entry of list) assert.ok(entry.question.endsWith('?') && entry.claim.length > 0);
});

test('an unknown or missing experiment exits 2 and lists the valid ones', () => {
  for (const args of [['run', 'nope'], ['run']]) {
    const r = gilLab(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(
      r.stderr,
      /valid experiments: cpu-bound, legacy-gil, io-bound, convoy, switch-interval, refcount, memory-bound, startup, ipc, kill/,
    );
    assert.equal(r.stdout, '');
  }
});

test('bad option values exit 2 with a message, before anything runs', () => {
  for (const [args, message] of [
    [['--workers', '0'], /--workers must be a whole number/],
    [['--workers', 'abc'], /--workers must be a whole number/],
    [['--policy', 'gil'], /--policy must be one of cpython, legacy, fifo, none/],
    [['--switch-interval-ms', '-1'], /--switch-interval-ms/],
    [['--size', 'huge'], /--size must be one of small, medium, large/],
    [['--kernel', 'fib'], /--kernel must be one of/],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*--workers/],
  ] as const) {
    const r = gilLab('run', 'cpu-bound', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message as RegExp);
    assert.equal(r.stdout, '', 'nothing ran');
  }
});

test('unwritable --trace, --svg and --html paths exit 2 before the run', () => {
  const locked = path.join(scratch, 'locked');
  spawnSync('mkdir', [locked]);
  chmodSync(locked, 0o500);
  const cases: string[][] = [
    ['run', 'cpu-bound', '--trace', path.join(scratch, 'missing-dir', 't.json')],
    ['run', 'cpu-bound', '--svg', path.join(scratch, 'missing-dir', 'c.svg')],
    ['run', 'cpu-bound', '--svg', scratch + path.sep + '.'],
    ['run', 'cpu-bound', '--trace', path.join(scratch, 't.txt')],
    ['tour', '--html', path.join(scratch, 'missing-dir', 'r.html')],
    ['run', 'startup', '--trace', path.join(scratch, 't.json')],
  ];
  // Root may write anywhere: the permission case is only meaningful for other users.
  if (process.getuid?.() !== 0) cases.push(['run', 'cpu-bound', '--trace', path.join(locked, 't.json')]);
  for (const args of cases) {
    const started = Date.now();
    const r = gilLab(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--trace|--svg|--html/);
    assert.equal(r.stdout, '', 'nothing ran');
    assert.ok(Date.now() - started < 20_000);
  }
  chmodSync(locked, 0o700);
});

test('run --json prints the documented object (cpu-bound rows: mode, seconds, speedup)', () => {
  const r = gilLab('run', 'cpu-bound', '--size', 'tiny', '--workers', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(out.experiment, 'cpu-bound');
  const machine = out.machine as Record<string, unknown>;
  assert.equal(typeof machine.cpus, 'number');
  assert.equal(typeof machine.model, 'string');
  assert.match(machine.node as string, /^v\d+/);
  const options = out.options as Record<string, unknown>;
  assert.equal(options.workers, 2);
  assert.equal(options.size, 'tiny');
  const verdict = out.verdict as Record<string, unknown>;
  assert.equal(verdict.holds, null, 'tiny: not testable');
  assert.equal(typeof verdict.text, 'string');
  const rows = out.results as Record<string, unknown>[];
  assert.ok(rows.length >= 7);
  for (const row of rows) {
    assert.equal(typeof row.mode, 'string');
    assert.equal(typeof row.seconds, 'number');
    assert.equal(typeof row.speedup, 'number');
  }
});

test('run convoy --json: every row has cpuThreads, policy, p50Us, p99Us, opsPerSecond', () => {
  const r = gilLab('run', 'convoy', '--size', 'tiny', '--json', '--policy', 'cpython', '--switch-interval-ms', '2');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { options: Record<string, unknown>; results: Record<string, unknown>[] };
  assert.equal(out.options.policy, 'cpython');
  assert.equal(out.options.switchIntervalMs, 2);
  assert.deepEqual(
    out.results.map((row) => row.cpuThreads),
    [0, 1, 2, 4],
  );
  for (const row of out.results) {
    assert.equal(row.policy, 'cpython');
    for (const key of ['p50Us', 'p99Us', 'opsPerSecond']) assert.equal(typeof row[key], 'number', key);
  }
});

test('run prints the question, the table and the verdict', () => {
  const r = gilLab('run', 'refcount', '--size', 'tiny');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^refcount: Why is there a lock at all/);
  assert.match(r.stdout, /measured on \d+ CPUs?, /);
  assert.match(r.stdout, /│ strategy │ workload +│ threads │/);
  assert.match(r.stdout, /│ biased +│ 90% by owner │/);
  assert.match(r.stdout, /(This machine (agrees|does not agree)|Not testable here)\./);
});
