// startup: a process costs more to start than a thread and takes more memory. The thread that
// CPython starts is an OS thread (os-thread: a plain thread of the addon's that takes the lock, runs
// a kernel and answers); a Node worker thread (worker-thread) starts a whole JavaScript engine and
// is shown as Node's cost, beside the child process (the analogue of the spawn start method).
import { performance } from 'node:perf_hooks';
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../executors/index.js';
import { Interpreter } from '../interpreter.js';
import { kernels } from '../kernels/index.js';
import { startOsThread } from '../kernels/io-channel.js';
import { formatBytes, formatNs, type TableColumn } from '../report/index.js';
import { task } from './harness.js';
import { median, plural, round, times } from './measure.js';
import { bySize } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { ExperimentOptions, Measurement, Size } from './types.js';

export type StartupKind = 'os-thread' | 'worker-thread' | 'process';
export const STARTUP_KINDS: readonly StartupKind[] = ['os-thread', 'worker-thread', 'process'];

export interface StartupRow extends Record<string, string | number | boolean | null> {
  kind: StartupKind;
  samples: number;
  /** Median time from asking for a worker to its first answer, milliseconds. */
  startupMs: number;
  /** Median resident memory one more worker adds, bytes. */
  rssBytes: number;
}

export const STARTUP_COLUMNS: TableColumn[] = [
  { key: 'kind' },
  { key: 'samples' },
  { key: 'startupMs', header: 'time to first message', format: (v) => formatNs((v as number) * 1e6) },
  { key: 'rssBytes', header: 'memory per worker', format: (v) => formatBytes(v as number) },
];

/** The claim: a process takes longer to start and more memory than a thread (an OS thread, as CPython's). */
export function startupVerdict(rows: readonly StartupRow[]): { holds: boolean; text: string } {
  const thread = rows.find((row) => row.kind === 'os-thread');
  const worker = rows.find((row) => row.kind === 'worker-thread');
  const proc = rows.find((row) => row.kind === 'process');
  if (!thread || !proc) return { holds: false, text: 'The run lacks an OS thread or a process row.' };
  const slower = proc.startupMs > thread.startupMs;
  const bigger = proc.rssBytes > thread.rssBytes;
  const holds = slower && bigger;
  let text =
    `A process answered its first message after ${formatNs(proc.startupMs * 1e6)} and an OS thread after ${formatNs(thread.startupMs * 1e6)} ` +
    `(${times(proc.startupMs / thread.startupMs)}); each process added ${formatBytes(proc.rssBytes)} of resident memory, each thread ${formatBytes(thread.rssBytes)}.`;
  if (worker) {
    text += ` A Node worker thread (Node's cost: a whole JavaScript engine, not a Python thread's) took ${formatNs(worker.startupMs * 1e6)}.`;
  }
  if (!slower) text += ' Here the OS thread was not faster to start.';
  if (!bigger) text += ' Here the OS thread was not smaller.';
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

interface WhoAmI {
  threadId: number;
  pid: number;
  rss: number;
}

/** Work the OS thread does under the lock before it answers (a kernel, as a thread's target runs code). */
const OS_THREAD_SPIN_NS = 1000;

async function sampleStartup(kind: StartupKind): Promise<{ ms: number; rssBytes: number }> {
  if (kind === 'os-thread') {
    const rssBefore = process.memoryUsage.rss();
    const result = startOsThread({ interpreter: Interpreter.main(), spinNs: OS_THREAD_SPIN_NS });
    // The thread has ended when the call returns: its stack stays mapped in the allocator's cache.
    return { ms: result.firstResultNs / 1e6, rssBytes: Math.max(0, process.memoryUsage.rss() - rssBefore) };
  }
  const rssBefore = process.memoryUsage.rss();
  const t0 = performance.now();
  const pool =
    kind === 'worker-thread' ? new ThreadPoolExecutor({ maxWorkers: 1 }) : new ProcessPoolExecutor({ maxWorkers: 1 });
  try {
    const answer = await pool.submit<WhoAmI>(task('whoAmI'));
    const ms = performance.now() - t0;
    // A thread's memory is this process's growth; a process's is its own resident set.
    const rssBytes = kind === 'worker-thread' ? Math.max(0, answer.rss - rssBefore) : answer.rss;
    return { ms, rssBytes };
  } finally {
    await pool.shutdown();
  }
}

/** Samples of each kind, per size (the CPython twin takes as many). */
export function startupSamples(size: Size): number {
  return bySize(size, [1, 5, 11, 21]);
}

async function measureStartup(options: ExperimentOptions, step: Stepper): Promise<Measurement<StartupRow>> {
  const samples = startupSamples(options.size);
  const kinds = STARTUP_KINDS;
  step.plan(samples * kinds.length);
  const measured: Record<StartupKind, { ms: number; rssBytes: number }[]> = {
    'os-thread': [],
    'worker-thread': [],
    process: [],
  };
  kernels.spinIterationsPerNs(); // the spin kernel calibrates once per process: not in the first sample
  // Alternate the kinds, so that a burst of load on the machine hits both alike.
  for (let i = 0; i < samples; i++) {
    for (const kind of kinds) {
      step(`${kind} ${i + 1}/${samples}`);
      measured[kind].push(await sampleStartup(kind));
    }
  }
  const rows: StartupRow[] = kinds.map((kind) => ({
    kind,
    samples,
    startupMs: round(median(measured[kind].map((s) => s.ms))),
    rssBytes: Math.round(median(measured[kind].map((s) => s.rssBytes))),
  }));
  return {
    rows,
    verdict: startupVerdict(rows),
    charts: [
      {
        kind: 'bar',
        categories: [...kinds],
        title: 'Time to first message',
        xLabel: '',
        yLabel: 'milliseconds',
        series: [{ label: 'median', points: rows.map((r, i) => ({ x: i, y: r.startupMs })) }],
        caption: `The median of ${plural(samples, 'sample')} of each.`,
      },
    ],
  };
}

export const startup = defineExperiment<StartupRow>({
  name: 'startup',
  question: 'What does it cost to start a thread, and a process?',
  claim:
    'Starting a process costs more than starting a thread (an OS thread, as CPython starts), and takes more memory.',
  inCpython:
    "threading.Thread is an OS thread in every Python 3; multiprocessing's start methods are fork (the Linux default up to 3.13), " +
    'spawn (the default on macOS since 3.8 and on Windows) and forkserver (the Linux default from 3.14).',
  narrative:
    'An OS thread is started that takes the lock, runs a short kernel and answers (threading.Thread); a one-worker pool is started ' +
    "and sent one task, as Node worker threads (Node's cost, for context) and as child processes (the spawn start method's analogue), " +
    "several times: the time until the first answer, and the resident memory one more adds (for a thread, this process's growth; " +
    'for a process, its own resident set). Medians.',
  columns: STARTUP_COLUMNS,
  traceable: false,
  takes: ['size'],
  measure: measureStartup,
});
