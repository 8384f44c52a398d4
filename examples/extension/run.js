// Measures the example extension on this machine and prints its own speedup table: the same
// Collatz work in hold mode (the lock is held, as by interpreted code) and release mode (the lock
// is released, as numpy does), on 1 and N threads, run from worker_threads and from gil-lab's
// ThreadPoolExecutor. Every number is measured in this run.
//
//   node run.js [--threads N] [--hi H] [--chunks-per-thread C]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';
import { Interpreter, ThreadPoolExecutor } from 'gil-lab';
import { MODES, stoppingTimes } from './index.js';
import { startExtensionWorker } from './threads.js';

/* global console */

function positiveInteger(value, name, max) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new RangeError(`--${name} must be an integer between 1 and ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    threads: { type: 'string' },
    hi: { type: 'string' },
    'chunks-per-thread': { type: 'string' },
  },
});
const cores = os.availableParallelism();
const threads = positiveInteger(values.threads ?? String(Math.max(2, Math.min(4, cores))), 'threads', 256);
const hi = positiveInteger(values.hi ?? '3000000', 'hi', 2 ** 32);
const chunksPerThread = positiveInteger(values['chunks-per-thread'] ?? '8', 'chunks-per-thread', 10_000);

/** [lo, hi) of [1, hi) in `count` nearly equal pieces. */
function chunks(count) {
  const out = [];
  const size = (hi - 1) / count;
  for (let i = 0; i < count; i++) {
    const lo = 1 + Math.round(i * size);
    const end = i === count - 1 ? hi : 1 + Math.round((i + 1) * size);
    if (end > lo) out.push([lo, end]);
  }
  return out;
}

/** Sums per-chunk results into one, so every run can be checked against the same answer. */
function combine(results) {
  const out = { count: 0, totalSteps: 0, maxSteps: -1, argMax: 0, yields: 0 };
  for (const r of results) {
    out.count += r.count;
    out.totalSteps += r.totalSteps;
    out.yields += r.yields;
    if (r.maxSteps > out.maxSteps || (r.maxSteps === out.maxSteps && r.argMax < out.argMax)) {
      out.maxSteps = r.maxSteps;
      out.argMax = r.argMax;
    }
  }
  return out;
}

/** worker_threads: `n` workers take chunks from a shared queue until it is empty. */
async function runWithWorkers(workers, n, mode, onStart) {
  const queue = chunks(n * chunksPerThread);
  const results = [];
  onStart();
  const t0 = performance.now();
  await Promise.all(
    workers.slice(0, n).map(async (worker) => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        results.push(await worker.run(next[0], next[1], { mode }));
      }
    }),
  );
  return { ms: performance.now() - t0, result: combine(results) };
}

const TASK = { module: new URL('./tasks.js', import.meta.url), export: 'stoppingTimesTask' };

/** ThreadPoolExecutor (lock model 'shared': every worker under the main interpreter's lock). */
async function runWithExecutor(n, mode, onStart) {
  const executor = new ThreadPoolExecutor({ maxWorkers: n, pipelineDepth: 1 });
  try {
    // Start every worker and load the extension in it before the clock starts.
    const warmUp = chunks(n).map(([lo]) => [lo, lo + 1000, 'release']);
    for await (const _ of executor.map(TASK, warmUp, { spread: true })) void _;
    const items = chunks(n * chunksPerThread).map(([lo, end]) => [lo, end, mode]);
    const results = [];
    onStart();
    const t0 = performance.now();
    for await (const r of executor.map(TASK, items, { spread: true })) results.push(r);
    return { ms: performance.now() - t0, result: combine(results) };
  } finally {
    await executor.shutdown();
  }
}

const main = Interpreter.main();
const expected = stoppingTimes(1, hi, { mode: 'release' });
const rows = [];
async function measure(runner, mode, n, fn) {
  // Lock statistics count from the start of the timed part.
  const { ms, result } = await fn(() => main.resetStats());
  const stats = main.stats();
  if (
    result.totalSteps !== expected.totalSteps ||
    result.maxSteps !== expected.maxSteps ||
    result.count !== expected.count
  ) {
    throw new Error(
      `${runner} ${mode} x${n}: result ${JSON.stringify(result)} differs from ${JSON.stringify(expected)}`,
    );
  }
  rows.push({
    runner,
    mode,
    threads: n,
    ms,
    yields: result.yields,
    forcedSwitches: stats.forcedSwitches,
    heldFraction: stats.heldFraction,
  });
}

const workers = await Promise.all(Array.from({ length: threads }, () => startExtensionWorker()));
try {
  for (const mode of MODES) {
    for (const n of [1, threads])
      await measure('worker_threads', mode, n, (onStart) => runWithWorkers(workers, n, mode, onStart));
  }
} finally {
  await Promise.all(workers.map((w) => w.terminate()));
}
for (const mode of MODES) {
  for (const n of [1, threads])
    await measure('ThreadPoolExecutor', mode, n, (onStart) => runWithExecutor(n, mode, onStart));
}

// --- the table ---------------------------------------------------------------------------------
const baseline = (row) => rows.find((r) => r.runner === row.runner && r.mode === row.mode && r.threads === 1);
const header = ['runner', 'mode', 'threads', 'time ms', 'speedup', 'yields', 'forced switches', 'lock held'];
const body = rows.map((row) => [
  row.runner,
  row.mode,
  String(row.threads),
  row.ms.toFixed(1),
  `${(baseline(row).ms / row.ms).toFixed(2)}x`,
  String(row.yields),
  String(row.forcedSwitches),
  `${(100 * row.heldFraction).toFixed(0)}%`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i].length)));
const format = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

console.log(
  `Collatz stopping times of 1..${hi - 1} (${expected.totalSteps} steps; longest ${expected.maxSteps} at ${expected.argMax}),` +
    ` ${chunksPerThread} chunks per thread, ${cores} hardware threads, switch interval ${main.switchIntervalUs / 1000} ms`,
);
console.log(format(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const line of body) console.log(format(line));

for (const runner of ['worker_threads', 'ThreadPoolExecutor']) {
  const speedup = (mode) => {
    const one = rows.find((r) => r.runner === runner && r.mode === mode && r.threads === 1);
    const many = rows.find((r) => r.runner === runner && r.mode === mode && r.threads === threads);
    return one.ms / many.ms;
  };
  console.log(
    `${runner}: ${threads} threads ran ${speedup('hold').toFixed(2)}x as fast as 1 holding the lock, ` +
      `${speedup('release').toFixed(2)}x releasing it` +
      (speedup('release') > speedup('hold') ? ' — releasing the lock is what lets native code scale.' : '.'),
  );
}
process.exitCode = 0;
