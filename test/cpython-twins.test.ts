// Every CPython twin in python/ runs at the tiny size with the parameters gil-lab gives it and
// prints one JSON object of the documented shape. Skipped, with the reason, where python3 is absent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { TWINS } from '#internal/cpython/against';
import { TWIN_SCRIPT, type TwinOutput } from '#internal/cpython/python';
import { resolveOptions, type ExperimentResult, type Row } from '#internal/experiments/index';

const python = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' });
const noPython =
  python.error !== undefined || python.stdout.trim() !== '3' ? 'python3 is not on PATH (or is not Python 3)' : false;

/** A model result with just what the twins' params read (the sizes of a tiny run). */
function tinyResult(experiment: string, rows: Row[]): ExperimentResult {
  const { onStep: _onStep, ...options } = resolveOptions({ size: 'tiny', workers: 2 });
  return { experiment, options, rows, verdict: { holds: true, text: '' }, charts: [], elapsedSeconds: 0 };
}

const MODEL_ROWS: Record<string, Row[]> = {
  'io-bound': [{ mode: 'serial', threads: 1, operations: 24, seconds: 0, opsPerSecond: 0, speedup: 1 }],
  'switch-interval': [{ switchIntervalMs: 0.5 }, { switchIntervalMs: 5 }],
  ipc: [{ method: 'process advanced', payloadBytes: 1024, seconds: 0, gbPerSecond: 0 }],
};

function runTwinScript(experiment: string, override: Record<string, unknown> = {}): TwinOutput {
  const spec = TWINS[experiment];
  const params = spec
    ? spec.params(tinyResult(experiment, []).options, tinyResult(experiment, MODEL_ROWS[experiment] ?? []))
    : {};
  const r = spawnSync('python3', [TWIN_SCRIPT, experiment], {
    input: JSON.stringify({ ...params, ...override }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${experiment} twin failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on one line');
  const out = JSON.parse(lines[0]!) as TwinOutput;
  assert.equal(out.experiment, experiment);
  assert.match(out.python.version, /^3\.\d+\.\d+/);
  assert.equal(typeof out.python.freeThreaded, 'boolean');
  assert.ok(Array.isArray(out.notes));
  return out;
}

function columnsOf(out: TwinOutput): string[] {
  return [...new Set(out.rows.flatMap((row) => Object.keys(row)))].sort();
}

test(
  'cpu-bound twin: serial, threads and processes on the countPrimes loop (numpy rows when numpy imports)',
  { skip: noPython },
  () => {
    const out = runTwinScript('cpu-bound');
    const modes = out.rows.map((row) => row.mode);
    for (const mode of ['serial', 'threads', 'processes']) assert.ok(modes.includes(mode), mode);
    assert.equal(modes.includes('numpy-threads'), out.python.numpy !== null);
    for (const row of out.rows) assert.ok((row.seconds as number) > 0 && (row.speedup as number) > 0);
  },
);

test('io-bound twin: serial, threads and asyncio rows', { skip: noPython }, () => {
  const out = runTwinScript('io-bound');
  assert.deepEqual(
    out.rows.map((row) => row.mode),
    ['serial', 'threads', 'asyncio'],
  );
  assert.ok(out.rows.every((row) => row.operations === 24));
});

test('convoy twin: the I/O thread alone and beside 1, 2 and 4 spinning threads', { skip: noPython }, () => {
  const out = runTwinScript('convoy');
  assert.deepEqual(
    out.rows.map((row) => row.cpuThreads),
    [0, 1, 2, 4],
  );
  assert.deepEqual(columnsOf(out), ['cpuThreads', 'opsPerSecond', 'p50Us', 'p99Us']);
});

test('switch-interval twin: one row per interval the model swept', { skip: noPython }, () => {
  const out = runTwinScript('switch-interval');
  assert.deepEqual(
    out.rows.map((row) => row.switchIntervalMs),
    [0.5, 5],
  );
  for (const row of out.rows) assert.ok((row.cpuShare as number) >= 0 && (row.cpuShare as number) <= 1.05);
});

test('memory-bound twin: numpy rows, or skipped saying numpy is needed', { skip: noPython }, () => {
  const out = runTwinScript('memory-bound');
  if (out.python.numpy === null) {
    assert.match(out.skipped ?? '', /numpy/);
  } else {
    assert.deepEqual([...new Set(out.rows.map((row) => row.kernel))].sort(), ['matmul', 'sum', 'triad']);
  }
});

test('startup twin: a thread and a process per start method', { skip: noPython }, () => {
  const out = runTwinScript('startup');
  const kinds = out.rows.map((row) => row.kind);
  assert.ok(kinds.includes('thread') && kinds.includes('process spawn'), kinds.join(', '));
  if (process.platform === 'linux') assert.ok(kinds.includes('process fork') && kinds.includes('process forkserver'));
});

test(
  'ipc twin: a thread shares the object, a process gets a pickle or a shared_memory segment',
  { skip: noPython },
  () => {
    const out = runTwinScript('ipc');
    assert.deepEqual(out.rows.map((row) => row.method).sort(), [
      'process pickle (Pipe)',
      'process pickle (ProcessPoolExecutor)',
      'process shared_memory',
      'thread (shared object)',
    ]);
  },
);

test('kill twin: processes are killed; a thread only stops when its code checks a flag', { skip: noPython }, () => {
  // Setting the flag needs the GIL, which the spinning thread holds: on a busy machine the request
  // can come many switch intervals late, so the work is long enough that it still comes in time.
  const out = runTwinScript('kill', { workMs: 1000 });
  const outcome = (method: string) => out.rows.find((row) => row.method === method)?.outcome;
  assert.equal(outcome('Process.kill()'), 'stopped');
  assert.equal(outcome('Process.terminate()'), 'stopped');
  assert.equal(outcome('threading.Event'), 'stopped');
  assert.equal(outcome('no way to stop it'), 'ran to completion');
});

test('legacy-gil and refcount have no twin, and their output says why', { skip: noPython }, () => {
  assert.match(runTwinScript('legacy-gil').skipped ?? '', /Python 2/);
  assert.match(runTwinScript('refcount').skipped ?? '', /not observable/);
});

test('the twin script refuses an unknown experiment by name', { skip: noPython }, () => {
  const r = spawnSync('python3', [TWIN_SCRIPT, 'nope'], { input: '{}', encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown experiment 'nope'; valid: .*convoy/);
});
