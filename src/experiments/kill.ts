// kill: stopping work that is running native code. A process can always be killed; a thread
// cannot be stopped from outside while it is inside native code, unless that code checks a flag.
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Interpreter } from '../interpreter.js';
import { ThreadPoolExecutor } from '../executors/index.js';
import { isAbortError, kernels } from '../kernels/index.js';
import { formatNs, type TableColumn } from '../report/index.js';
import { task } from './harness.js';
import { median, round, sleep } from './measure.js';
import { bySize } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { ExperimentOptions, Measurement, Size } from './types.js';

export type KillMethod = 'AbortSignal' | 'Future.abort()' | 'worker.terminate()' | 'SIGKILL';

export interface KillRow extends Record<string, string | number | boolean | null> {
  method: KillMethod;
  /** What ran: a thread or a process, and whether the kernel checks for an abort. */
  target: string;
  /** Median milliseconds from the stop request to the work being stopped (or finished). */
  stopMs: number;
  /** Milliseconds the kernel had left to run when asked to stop. */
  remainingMs: number;
  /** How it ended: stopped early, or ran to completion. */
  outcome: 'stopped' | 'ran to completion';
}

/** Methods that exist only in Node, and the Python fact that goes with them. */
export const KILL_NODE_ONLY: Partial<Record<KillMethod, string>> = {
  'Future.abort()': 'concurrent.futures cannot stop a running task (Future.cancel() only stops one not yet started)',
  'worker.terminate()': 'a Python thread cannot be killed, only asked to stop',
};
/** The Python analogue of each method, shown next to it. */
export const KILL_IN_PYTHON: Record<KillMethod, string> = {
  AbortSignal: 'a flag its code checks (threading.Event)',
  'Future.abort()': 'Node only: no such call',
  'worker.terminate()': 'Node only: threads cannot be killed',
  SIGKILL: 'Process.kill()',
};

/** "Future.abort() (Node)": Node-only methods are labelled in tables and text. */
export function killMethodLabel(method: KillMethod): string {
  return method in KILL_NODE_ONLY ? `${method} (Node)` : method;
}

export const KILL_COLUMNS: TableColumn[] = [
  { key: 'method', format: (v) => killMethodLabel(v as KillMethod) },
  { key: 'method', header: 'in Python', format: (v) => KILL_IN_PYTHON[v as KillMethod] ?? '' },
  { key: 'target' },
  { key: 'stopMs', header: 'time to stop', format: (v) => formatNs((v as number) * 1e6) },
  { key: 'remainingMs', header: 'work left', format: (v) => formatNs((v as number) * 1e6) },
  { key: 'outcome' },
];

/**
 * The claim: SIGKILL stops a process at once, and a kernel that checks its abort flag stops within
 * a slice (both well under a quarter of the work left), while worker.terminate() cannot stop a
 * thread inside a kernel that never checks: it waits for the kernel to finish.
 */
export function killVerdict(rows: readonly KillRow[]): { holds: boolean; text: string } {
  const sigkill = rows.find((row) => row.method === 'SIGKILL');
  const signal = rows.find((row) => row.method === 'AbortSignal');
  const terminate = rows.find((row) => row.method === 'worker.terminate()');
  if (!sigkill || !signal || !terminate)
    return { holds: false, text: 'The run lacks the SIGKILL, AbortSignal or worker.terminate() row.' };
  const quick = (row: KillRow) => row.stopMs < 0.25 * row.remainingMs;
  const stuck = terminate.outcome === 'ran to completion' && terminate.stopMs >= 0.5 * terminate.remainingMs;
  const holds = quick(sigkill) && quick(signal) && stuck;
  let text =
    `SIGKILL stopped a process in ${formatNs(sigkill.stopMs * 1e6)} and an AbortSignal stopped a checking kernel in ${formatNs(signal.stopMs * 1e6)}; ` +
    `worker.terminate() (Node) on a thread inside a kernel that never checks took ${formatNs(terminate.stopMs * 1e6)} — ` +
    `${terminate.outcome === 'ran to completion' ? 'the kernel ran to completion first' : 'it stopped early'} (${formatNs(terminate.remainingMs * 1e6)} of work were left). ` +
    `In Python ${KILL_NODE_ONLY['worker.terminate()']}.`;
  if (!holds) text += ' That is not the pattern the claim describes.';
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

const TARGET_URL = new URL('./kill-target.js', import.meta.url);

interface StopSample {
  stopMs: number;
  remainingMs: number;
  stoppedEarly: boolean;
}

/** Waits until `emitter` says 'started'; resolves with performance.now() at that moment. */
function startedAt(emitter: Worker | ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    emitter.once('message', (message: unknown) => {
      if (message === 'started') resolve(performance.now());
      else reject(new Error(`kill: unexpected message ${JSON.stringify(message)}`));
    });
    emitter.once('error', reject);
  });
}

function exited(emitter: Worker | ChildProcess): Promise<number> {
  return new Promise((resolve) => emitter.once('exit', () => resolve(performance.now())));
}

async function stopByAbortSignal(workMs: number, delayMs: number): Promise<StopSample> {
  const controller = new AbortController();
  const t0 = performance.now();
  const running = kernels.spinAsync(workMs * 1e6, { mode: 'release', signal: controller.signal });
  await sleep(delayMs);
  const asked = performance.now();
  controller.abort();
  let stoppedEarly = false;
  try {
    await running;
  } catch (error) {
    if (!isAbortError(error)) throw error;
    stoppedEarly = true;
  }
  const done = performance.now();
  return { stopMs: done - asked, remainingMs: workMs - (asked - t0), stoppedEarly };
}

async function stopByFutureAbort(pool: ThreadPoolExecutor, workMs: number, delayMs: number): Promise<StopSample> {
  const future = pool.submit<number>(task('spinCheckingAbort'), workMs * 1e6);
  const deadline = performance.now() + 10_000;
  while (!future.running() && !future.done()) {
    if (performance.now() > deadline) throw new Error('kill: the task did not start within 10 s');
    await sleep(0.5);
  }
  const t0 = performance.now();
  await sleep(delayMs);
  const asked = performance.now();
  const outcome = await future.abort({ graceMs: Math.max(1000, 4 * workMs) });
  const done = performance.now();
  return { stopMs: done - asked, remainingMs: workMs - (asked - t0), stoppedEarly: outcome === 'cooperative' };
}

async function stopByTerminate(workMs: number, delayMs: number): Promise<StopSample> {
  const interpreter = new Interpreter();
  try {
    const worker = new Worker(TARGET_URL, { workerData: { interpreterId: interpreter.id, ns: workMs * 1e6 } });
    const gone = exited(worker);
    const t0 = await startedAt(worker);
    await sleep(delayMs);
    const asked = performance.now();
    await worker.terminate();
    const done = await gone;
    // The thread lived as long as the whole kernel: the terminate waited for it to return.
    return { stopMs: done - asked, remainingMs: workMs - (asked - t0), stoppedEarly: done - t0 < 0.9 * workMs };
  } finally {
    interpreter.destroy();
  }
}

async function stopBySigkill(workMs: number, delayMs: number): Promise<StopSample> {
  const child = fork(fileURLToPath(TARGET_URL), [String(workMs * 1e6)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const gone = exited(child);
  const t0 = await startedAt(child);
  await sleep(delayMs);
  const asked = performance.now();
  child.kill('SIGKILL');
  const done = await gone;
  return { stopMs: done - asked, remainingMs: workMs - (asked - t0), stoppedEarly: done - t0 < 0.9 * workMs };
}

/** The kernel's length, the delay before the stop request, and samples per method (the CPython twin's too). */
export function killSizes(size: Size): { workMs: number; delayMs: number; samples: number } {
  return {
    workMs: bySize(size, [60, 300, 600, 1000]),
    delayMs: bySize(size, [15, 50, 100, 100]),
    samples: bySize(size, [1, 2, 5, 9]),
  };
}

async function measureKill(options: ExperimentOptions, step: Stepper): Promise<Measurement<KillRow>> {
  const { workMs, delayMs, samples } = killSizes(options.size);
  const methods: { method: KillMethod; target: string }[] = [
    { method: 'AbortSignal', target: "the addon's kernel thread, kernel checks its flag" },
    { method: 'Future.abort()', target: 'thread pool task, kernel checks its flag' },
    { method: 'worker.terminate()', target: 'worker thread, kernel never checks' },
    { method: 'SIGKILL', target: 'child process, kernel never checks' },
  ];
  step.plan(methods.length * samples);
  // One-time costs that are not a stop's: the spin kernel's calibration (once per process, and it
  // cannot check a flag) and the start of the addon's own kernel thread. Paid here, not in the first
  // AbortSignal sample, which they could otherwise delay by milliseconds on a busy machine.
  kernels.spinIterationsPerNs();
  await kernels.spinAsync(1000, { mode: 'release' });
  const pool = new ThreadPoolExecutor({ maxWorkers: 1, lock: 'isolated' });
  const rows: KillRow[] = [];
  try {
    await pool.start();
    for (const { method, target } of methods) {
      const measured: StopSample[] = [];
      for (let s = 0; s < samples; s++) {
        step(`${method} ${s + 1}/${samples}`);
        switch (method) {
          case 'AbortSignal':
            measured.push(await stopByAbortSignal(workMs, delayMs));
            break;
          case 'Future.abort()':
            measured.push(await stopByFutureAbort(pool, workMs, delayMs));
            break;
          case 'worker.terminate()':
            measured.push(await stopByTerminate(workMs, delayMs));
            break;
          case 'SIGKILL':
            measured.push(await stopBySigkill(workMs, delayMs));
            break;
        }
      }
      const early = measured.filter((m) => m.stoppedEarly).length;
      rows.push({
        method,
        target,
        stopMs: round(median(measured.map((m) => m.stopMs))),
        remainingMs: round(median(measured.map((m) => m.remainingMs))),
        outcome: early * 2 > measured.length ? 'stopped' : 'ran to completion',
      });
    }
  } finally {
    await pool.shutdown();
  }
  return {
    rows,
    verdict: killVerdict(rows),
    charts: [
      {
        kind: 'bar',
        categories: rows.map((r) => r.method),
        title: 'Time from the stop request to the work stopping, against the work left',
        xLabel: 'method',
        yLabel: 'milliseconds',
        series: [
          { label: 'time to stop', points: rows.map((r, i) => ({ x: i, y: r.stopMs })) },
          { label: 'work left', points: rows.map((r, i) => ({ x: i, y: r.remainingMs })) },
        ],
      },
    ],
  };
}

export const kill = defineExperiment<KillRow>({
  name: 'kill',
  question: 'Can you stop a thread that is running native code — and a process?',
  claim: 'A process can be killed; a thread cannot be killed at all, only asked to stop (its code must check).',
  inCpython:
    'Process.terminate() (SIGTERM) and Process.kill() (SIGKILL, 3.7+) stop a process; no Python version can kill a thread, ' +
    "only set a flag its code checks; concurrent.futures' Future.cancel() stops only a task that has not started.",
  narrative:
    'A native kernel is stopped part way, four ways: an AbortSignal and Future.abort() raise the flag the kernel checks between slices; ' +
    'worker.terminate() asks Node to stop a thread whose kernel never checks (Node can only stop JavaScript); SIGKILL ends a process ' +
    'whose kernel never checks. The kernels are bounded, so the one that cannot be stopped ends anyway. ' +
    'Future.abort() and worker.terminate() exist only in Node (labelled so): in Python a thread can only be asked to stop.',
  columns: KILL_COLUMNS,
  traceable: false,
  takes: ['size'],
  measure: measureKill,
});
