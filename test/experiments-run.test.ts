// Every experiment runs at the tiny size and returns a well-formed result: rows with every column,
// a verdict computed from them, charts with points, and lock traces where it has a lock to trace.
// (Tiny runs are too short for their figures to mean anything; only the shape is checked.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter } from 'gil-lab';
import { experiments, runExperiment, type ExperimentResult } from '#internal/experiments/index';

function checkResult(name: string, result: ExperimentResult, traced: boolean): void {
  const experiment = experiments.find((e) => e.name === name)!;
  assert.equal(result.experiment, name);
  assert.ok(result.rows.length > 0, `${name}: no rows`);
  for (const [index, row] of result.rows.entries()) {
    for (const column of experiment.columns) {
      assert.ok(column.key in row, `${name}: rows[${index}] lacks ${column.key}`);
      const value = row[column.key];
      if (typeof value === 'number')
        assert.ok(Number.isFinite(value), `${name}: rows[${index}].${column.key} = ${value}`);
    }
  }
  // Tiny figures mean nothing: every tiny verdict says it could not test the claim (for that reason,
  // or for one of the experiment's own, such as memory that keeps up with every core).
  assert.equal(result.verdict.holds, null, `${name}: ${result.verdict.text}`);
  assert.ok(result.verdict.text.length > 20, `${name}: verdict text too short: ${result.verdict.text}`);
  assert.ok(result.charts.length > 0, `${name}: no chart`);
  for (const chart of result.charts) {
    assert.ok(chart.series.length > 0 && chart.series.some((s) => s.points.length > 0), `${name}: an empty chart`);
    for (const series of chart.series)
      for (const p of series.points) assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y));
  }
  assert.ok(result.elapsedSeconds > 0);
  assert.equal(result.options.size, 'tiny');
  if (traced) {
    assert.ok(result.traces && result.traces.length > 0, `${name}: no lock trace`);
    for (const trace of result.traces) {
      assert.ok(trace.events.length > 0, `${name}: an empty trace`);
      assert.ok(trace.labels.length > 0);
      for (const event of trace.events) assert.ok(trace.labels.some((l) => l.threadId === event.threadId));
    }
  } else {
    assert.equal(result.traces, undefined);
  }
}

for (const experiment of experiments) {
  test(`${experiment.name} runs at the tiny size and returns well-formed results`, async () => {
    const result = await runExperiment(experiment.name, { size: 'tiny', workers: 2, trace: experiment.traceable });
    checkResult(experiment.name, result, experiment.traceable);
    // Experiments put the process-wide lock back as they found it.
    const main = Interpreter.main();
    assert.equal(main.policy, 'cpython');
    assert.equal(main.switchIntervalUs, 5000);
    assert.equal(main.isHeldByCurrentThread(), false);
  });
}

test('cpu-bound with sweep runs every parallel mode at 1..N workers and charts them', async () => {
  const result = await runExperiment('cpu-bound', { size: 'tiny', workers: 2, sweep: true });
  const modes = new Set(result.rows.map((row) => row.mode));
  for (const mode of [
    'threads-hold',
    'threads-release',
    'processes',
    'subinterpreters',
    'free-threaded',
    'js-threads-hold',
  ]) {
    assert.ok(modes.has(mode), mode);
    const workers = result.rows.filter((row) => row.mode === mode).map((row) => row.workers);
    assert.deepEqual(workers, [1, 2], mode);
  }
  const chart = result.charts[0]!;
  assert.equal(chart.ideal, 'y=x');
  assert.equal(chart.series.length, 6);
});

test('runExperiment rejects bad options with errors that name them', async () => {
  await assert.rejects(runExperiment('no-such'), /unknown experiment 'no-such'; valid experiments: cpu-bound/);
  await assert.rejects(runExperiment('cpu-bound', { workers: 0 }), RangeError);
  await assert.rejects(runExperiment('cpu-bound', { workers: 1.5 }), /options.workers/);
  await assert.rejects(runExperiment('cpu-bound', { workers: '2' as unknown as number }), TypeError);
  await assert.rejects(
    runExperiment('convoy', { policy: 'gil' as never }),
    /options.policy must be one of cpython, legacy, fifo, none/,
  );
  await assert.rejects(runExperiment('convoy', { switchIntervalMs: -1 }), /options.switchIntervalMs/);
  await assert.rejects(runExperiment('convoy', { size: 'huge' as never }), /options.size/);
  await assert.rejects(runExperiment('cpu-bound', { kernel: 'fib' as never }), /options.kernel/);
});
