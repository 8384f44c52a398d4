// cpu-bound: do CPU-bound threads run in parallel under one interpreter lock? Each mode does the same
// work, split evenly over the workers, and is timed against the serial run.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Interpreter, type LockEvent } from '../interpreter.js';
import { INTERPRETER_POOL_LOCK_TEXT, ProcessPoolExecutor, ThreadPoolExecutor } from '../executors/index.js';
import { formatPercent, formatSeconds, formatSpeedup, type ChartSpec, type TableColumn } from '../report/index.js';
import { lockTrace, task, TRACE_CAPACITY, withMainLock, workerLabels } from './harness.js';
import { listText, percent, plural, round, times } from './measure.js';
import { bySize, switchIntervalUs } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { CpuShareResult, CpuStyle, CpuWorkSpec } from './tasks.js';
import type { CpuKernelName, ExperimentOptions, LockTrace, Measurement, Size, Verdict } from './types.js';

type PoolExecutor = ThreadPoolExecutor | ProcessPoolExecutor;

export const CPU_MODES = [
  'serial',
  'threads-hold',
  'threads-release',
  'processes',
  'subinterpreters',
  'free-threaded',
  'js-serial',
  'js-threads-hold',
] as const;
export type CpuMode = (typeof CPU_MODES)[number];

/** The modes that escape the one lock, each in its own way. */
export const ESCAPE_MODES: readonly CpuMode[] = ['threads-release', 'processes', 'subinterpreters', 'free-threaded'];
/** The modes that run interpreted-style code under one shared lock. */
export const SHARED_LOCK_MODES: readonly CpuMode[] = ['threads-hold', 'js-threads-hold'];

export interface CpuBoundRow extends Record<string, string | number | boolean | null> {
  mode: CpuMode;
  workers: number;
  seconds: number;
  /** Serial seconds / this mode's seconds (js-* modes: against js-serial). */
  speedup: number;
  /** speedup / workers. */
  efficiency: number;
  /** Time the lock(s) were held, per lock, as a fraction of the run's wall time (null: not measured). */
  heldFraction: number | null;
  /** Time threads spent waiting for the lock(s), per lock, as a fraction of the wall time. */
  waitFraction: number | null;
  /** Lock hand-offs between threads during the run (null: not measured). */
  switches: number | null;
}

export const CPU_BOUND_COLUMNS: TableColumn[] = [
  { key: 'mode' },
  { key: 'workers' },
  { key: 'seconds', header: 'seconds', format: (v) => formatSeconds(v as number) },
  { key: 'speedup', header: 'speedup', format: (v) => formatSpeedup(v as number) },
  { key: 'efficiency', header: 'efficiency', format: (v) => formatPercent(v as number, 0) },
  { key: 'heldFraction', header: 'lock held', format: (v) => formatPercent(v as number, 0) },
  { key: 'waitFraction', header: 'lock wait', format: (v) => formatPercent(v as number, 0) },
  { key: 'switches', header: 'switches' },
];

export interface CpuBoundContext {
  /** The --workers the verdict is about. */
  workers: number;
  /** Hardware threads of the machine. */
  cpus: number;
  /**
   * Modes whose kept run did not give each share a worker of its own (`threads`: the distinct
   * workers that ran the `workers` shares): such a run does not test what its mode claims.
   */
  crowded?: readonly { mode: CpuMode; workers: number; threads: number }[];
}

/** A shared-lock mode "gets no speedup" below this. */
export const NO_SPEEDUP_BELOW = 1.2;
/** An escape mode "runs in parallel" at or above this fraction of the available parallelism. */
export const PARALLEL_EFFICIENCY = 0.75;

/**
 * The claim: CPU-bound threads under one interpreter lock get no speedup, while native code that
 * releases the lock, processes, subinterpreters and free threading do. Judged at `workers` workers.
 */
export function cpuBoundVerdict(rows: readonly CpuBoundRow[], context: CpuBoundContext): Verdict {
  const at = (mode: CpuMode) => rows.find((row) => row.mode === mode && row.workers === context.workers);
  const parallelism = Math.min(context.workers, context.cpus);
  // Not testable below 2-way parallelism: nothing, lock or no lock, can run in parallel there.
  if (parallelism < 2) {
    return {
      holds: null,
      text:
        `With ${plural(context.workers, 'worker')} on ${plural(context.cpus, 'CPU')} nothing can run in parallel, ` +
        'so the claim cannot be tested here; it needs 2 or more workers and CPUs.',
    };
  }
  const shared = SHARED_LOCK_MODES.map(at).filter((row): row is CpuBoundRow => row !== undefined);
  const escapes = ESCAPE_MODES.map(at).filter((row): row is CpuBoundRow => row !== undefined);
  if (shared.length === 0 || escapes.length === 0) {
    return { holds: false, text: 'The run lacks the modes the claim compares (threads-hold and an escape mode).' };
  }
  const needed = PARALLEL_EFFICIENCY * parallelism;
  const sharedSped = shared.filter((row) => row.speedup >= NO_SPEEDUP_BELOW);
  const escapesSlow = escapes.filter((row) => row.speedup < needed);
  const hold = shared[0]!;
  const lockFigures =
    hold.heldFraction !== null && hold.waitFraction !== null
      ? ` (the lock was held ${percent(hold.heldFraction)} of the time and threads waited for it ${percent(hold.waitFraction)})`
      : '';
  const sharedText = listText(shared.map((row) => `${row.mode} ${times(row.speedup)}`));
  const escapeText = listText(escapes.map((row) => `${row.mode} ${times(row.speedup)}`));
  const crowded = (context.crowded ?? []).filter((c) => c.workers === context.workers);
  const holds = sharedSped.length === 0 && escapesSlow.length === 0 && crowded.length === 0;
  let text =
    `With ${context.workers} workers, threads under the shared lock ran at ${sharedText} the serial speed${lockFigures}, ` +
    `while ${escapeText}.`;
  if (sharedSped.length > 0)
    text += ` ${listText(sharedSped.map((row) => row.mode))} sped up, which one lock should forbid.`;
  if (escapesSlow.length > 0) {
    text += ` ${listText(escapesSlow.map((row) => row.mode))} stayed below ${times(needed)}, short of running in parallel.`;
  }
  for (const c of crowded) {
    text +=
      ` The pool ran ${c.mode}'s ${c.workers} shares on only ${plural(c.threads, 'worker')}, ` +
      `so that run was not ${c.workers}-way and cannot count.`;
  }
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

/** Units per job: many more than workers, so that interleaving evens out their cost. */
export function workSpec(kernel: CpuKernelName, size: Size): CpuWorkSpec {
  const unitSizes: Record<CpuKernelName, readonly [number, number, number, number]> = {
    // numbers per unit (from 10^7): ~1.2 ms of trial division per unit at small, 0.6 s in all
    countPrimes: [400, 3200, 18_000, 60_000],
    // rows of a 256-wide image per unit
    mandelbrot: [1, 3, 12, 48],
    // SHA-256 rounds per unit
    sha256Chain: [500, 6000, 30_000, 120_000],
    // matrix side per unit (one n x n multiply)
    matmul: [48, 176, 288, 448],
  };
  return { kernel, units: size === 'tiny' ? 24 : 480, unitSize: bySize(size, unitSizes[kernel]) };
}

interface ModePlan {
  mode: CpuMode;
  style: CpuStyle;
  pool: 'shared' | 'isolated' | 'free' | 'processes';
  /** The serial baseline this mode is compared with. */
  baseline: CpuMode;
}

const PLANS: readonly ModePlan[] = [
  { mode: 'serial', style: 'hold', pool: 'shared', baseline: 'serial' },
  { mode: 'threads-hold', style: 'hold', pool: 'shared', baseline: 'serial' },
  { mode: 'threads-release', style: 'release', pool: 'shared', baseline: 'serial' },
  { mode: 'processes', style: 'hold', pool: 'processes', baseline: 'serial' },
  { mode: 'subinterpreters', style: 'hold', pool: 'isolated', baseline: 'serial' },
  { mode: 'free-threaded', style: 'hold', pool: 'free', baseline: 'serial' },
  { mode: 'js-serial', style: 'js', pool: 'shared', baseline: 'js-serial' },
  { mode: 'js-threads-hold', style: 'js', pool: 'shared', baseline: 'js-serial' },
];

interface Measured {
  seconds: number;
  heldNs: number | null;
  waitNs: number | null;
  switches: number | null;
  locks: number;
  /** The thread that ran each share, in share order. */
  threadIds: number[];
  /** Distinct workers (process and thread) that ran the shares: one per share unless the pool doubled up. */
  distinctWorkers: number;
  events?: LockEvent[] & { droppedEvents: number };
}

/** A traced run: its events and who ran each share (to label the tracks). */
interface TracedRun {
  events: LockEvent[] & { droppedEvents: number };
  threadIds: number[];
  distinctWorkers: number;
}

/** Runs one mode's job with `workers` workers of `pool` and measures it. */
async function measureMode(
  pool: PoolExecutor,
  plan: ModePlan,
  spec: CpuWorkSpec,
  workers: number,
  trace: boolean,
): Promise<Measured> {
  const threadPool = pool instanceof ThreadPoolExecutor ? pool : undefined;
  const locks = threadPool ? threadPool.interpreters() : [];
  for (const lock of locks) lock.resetStats();
  const traced =
    trace && threadPool !== undefined && threadPool.lockModel === 'shared' ? Interpreter.main() : undefined;
  traced?.startTrace({ capacity: TRACE_CAPACITY });
  const t0 = performance.now();
  let shares: CpuShareResult[];
  try {
    shares = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        pool.submit<CpuShareResult>(task('cpuShare'), spec, w, workers, plan.style),
      ),
    );
  } catch (error) {
    traced?.stopTrace();
    throw error;
  }
  const seconds = (performance.now() - t0) / 1000;
  const events = traced?.stopTrace();
  const threadIds = shares.map((share) => share.threadId);
  const distinctWorkers = new Set(shares.map((share) => `${share.pid}/${share.threadId}`)).size;
  if (threadPool) {
    const stats = locks.map((lock) => lock.stats());
    // Policy none takes no lock: there is no held or wait time to speak of.
    const lockless = threadPool.lockModel === 'free';
    return {
      seconds,
      heldNs: lockless ? null : stats.reduce((sum, s) => sum + s.heldNs, 0),
      waitNs: lockless ? null : stats.reduce((sum, s) => sum + s.waitNs, 0),
      switches: stats.reduce((sum, s) => sum + s.switches, 0),
      // Isolated: one lock per busy worker (idle workers' locks stay untouched).
      locks: threadPool.lockModel === 'isolated' ? workers : 1,
      threadIds,
      distinctWorkers,
      ...(events ? { events } : {}),
    };
  }
  // A process's lock is its own: each worker reports it.
  return {
    seconds,
    heldNs: shares.reduce((sum, s) => sum + s.heldNs, 0),
    waitNs: shares.reduce((sum, s) => sum + s.waitNs, 0),
    switches: shares.reduce((sum, s) => sum + s.switches, 0),
    locks: workers,
    threadIds,
    distinctWorkers,
  };
}

/**
 * The worker counts a mode runs at: the serial baselines at 1; free-threaded at 1 too, whatever the
 * sweep, because its single-thread time against serial's under the lock is the free-threaded build's
 * single-thread cost (PEP 703).
 */
function workerCounts(mode: CpuMode, counts: readonly number[]): number[] {
  if (mode === 'serial' || mode === 'js-serial') return [1];
  return mode === 'free-threaded' ? [...new Set([1, ...counts])] : [...counts];
}

async function warm(
  pool: PoolExecutor,
  spec: CpuWorkSpec,
  workers: number,
  styles: readonly CpuStyle[],
): Promise<void> {
  await pool.start();
  // One warm-up per worker: equal tasks are spread over all workers.
  await Promise.all(Array.from({ length: workers }, () => pool.submit(task('warmUp'), spec, styles)));
}

async function measureCpuBound(options: ExperimentOptions, step: Stepper): Promise<Measurement<CpuBoundRow>> {
  const n = options.workers;
  const spec = workSpec(options.kernel, options.size);
  const counts = options.sweep ? Array.from({ length: n }, (_, i) => i + 1) : [n];
  const repeats = bySize(options.size, [1, 3, 3, 3]);
  const runs = PLANS.flatMap((plan) => workerCounts(plan.mode, counts).map((workers) => ({ plan, workers })));
  step.plan(runs.length * repeats);
  const lockSettings = { policy: options.policy ?? 'cpython', switchIntervalUs: switchIntervalUs(options) };
  const measured = new Map<string, Measured>();
  const tracedRuns = new Map<CpuMode, TracedRun>();
  const key = (mode: CpuMode, workers: number) => `${mode}@${workers}`;
  // A run counts only if every share had a worker of its own (the pool spreads equal tasks over
  // idle workers, but this is checked, not assumed); among those, the fastest is kept.
  const better = (m: Measured, best: Measured | undefined, workers: number): boolean => {
    if (best === undefined) return true;
    const full = m.distinctWorkers === workers;
    const bestFull = best.distinctWorkers === workers;
    return full !== bestFull ? full : m.seconds < best.seconds;
  };

  // All four pools stay up, and every repeat runs every mode once: a burst of load from elsewhere
  // on the machine then spoils one run of each mode, not every run of one. Each mode keeps its
  // fastest run (as timeit does): slower runs measure the interference, not the mode.
  await withMainLock(lockSettings, async () => {
    const pools: Record<ModePlan['pool'], PoolExecutor> = {
      // The shared lock (the GIL): serial, threads-hold, threads-release, js-serial, js-threads-hold.
      shared: new ThreadPoolExecutor({ maxWorkers: n, lock: 'shared' }),
      isolated: new ThreadPoolExecutor({ maxWorkers: n, lock: 'isolated', ...lockSettings }),
      free: new ThreadPoolExecutor({ maxWorkers: n, lock: 'free' }),
      processes: new ProcessPoolExecutor({ maxWorkers: n }),
    };
    try {
      await warm(pools.shared, spec, n, ['hold', 'js']);
      await warm(pools.isolated, spec, n, ['hold']);
      await warm(pools.free, spec, n, ['hold']);
      await warm(pools.processes, spec, n, ['hold']);
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const { plan, workers } of runs) {
          step(`${plan.mode}, ${plural(workers, 'worker')}${repeats > 1 ? `, run ${repeat + 1}/${repeats}` : ''}`);
          // Trace the first run at the full worker count whose shares each had a worker of their
          // own: that is the one the timelines show (with its own thread ids as labels).
          const priorTrace = tracedRuns.get(plan.mode);
          const trace = options.trace && workers === n && (priorTrace === undefined || priorTrace.distinctWorkers < n);
          const { events, ...m } = await measureMode(pools[plan.pool], plan, spec, workers, trace);
          if (events && (priorTrace === undefined || m.distinctWorkers > priorTrace.distinctWorkers))
            tracedRuns.set(plan.mode, { events, threadIds: m.threadIds, distinctWorkers: m.distinctWorkers });
          if (better(m, measured.get(key(plan.mode, workers)), workers)) measured.set(key(plan.mode, workers), m);
        }
      }
    } finally {
      await Promise.allSettled(Object.values(pools).map((pool) => pool.shutdown()));
    }
  });

  const rows: CpuBoundRow[] = [];
  const crowded: { mode: CpuMode; workers: number; threads: number }[] = [];
  for (const plan of PLANS) {
    for (const workers of workerCounts(plan.mode, counts)) {
      const m = measured.get(key(plan.mode, workers))!;
      if (m.distinctWorkers < workers) crowded.push({ mode: plan.mode, workers, threads: m.distinctWorkers });
      const base = measured.get(key(plan.baseline, 1))!;
      const speedup = base.seconds / m.seconds;
      rows.push({
        mode: plan.mode,
        workers,
        seconds: round(m.seconds),
        speedup: round(speedup),
        efficiency: round(speedup / workers),
        heldFraction: m.heldNs === null ? null : round(m.heldNs / 1e9 / m.seconds / m.locks),
        waitFraction: m.waitNs === null ? null : round(m.waitNs / 1e9 / m.seconds / m.locks),
        switches: m.switches,
      });
    }
  }

  const traces: LockTrace[] = [];
  if (options.trace) {
    const windowNs = 10 * switchIntervalUs(options) * 1000;
    for (const mode of ['threads-hold', 'threads-release', 'js-threads-hold', 'serial', 'js-serial'] as CpuMode[]) {
      const run = tracedRuns.get(mode);
      if (!run) continue;
      const featured = mode === 'threads-hold' || mode === 'threads-release';
      traces.push(
        lockTrace(
          `${mode}, ${plural(run.threadIds.length, 'worker')} under one lock (${lockSettings.policy})`,
          run.events,
          workerLabels(run.threadIds),
          featured ? windowNs : undefined,
        ),
      );
    }
  }

  const parallelPlans = PLANS.filter((plan) => plan.mode !== 'serial' && plan.mode !== 'js-serial');
  // Without a sweep, each mode's line starts at its serial baseline (1 worker, 1× by definition).
  const swept = counts.length > 1;
  const charts: ChartSpec[] = [
    {
      title: swept
        ? `Speedup vs workers (${options.kernel}, ${options.size})`
        : `Speedup over serial at ${n} workers (${options.kernel}, ${options.size})`,
      xLabel: 'workers',
      yLabel: 'speedup over serial (×)',
      ideal: 'y=x',
      caption:
        'The grey dashed line is perfect scaling: a mode on it uses every worker fully; a mode near 1× gained nothing from its workers.',
      series: parallelPlans.map((plan) => ({
        label: plan.mode,
        points: [
          ...(swept || plan.mode === 'free-threaded' ? [] : [{ x: 1, y: 1 }]),
          ...rows.filter((row) => row.mode === plan.mode).map((row) => ({ x: row.workers, y: row.speedup })),
        ],
      })),
    },
  ];
  return {
    rows,
    verdict: cpuBoundVerdict(rows, { workers: n, cpus: os.availableParallelism(), crowded }),
    ...(traces.length > 0 ? { traces } : {}),
    charts,
  };
}

export const cpuBound = defineExperiment<CpuBoundRow>({
  name: 'cpu-bound',
  question: 'Do CPU-bound threads run in parallel under one interpreter lock — and what escapes it?',
  claim:
    'CPU-bound threads under one lock get no speedup; native code that releases the lock, processes, subinterpreters and free threading do.',
  inCpython:
    'Since 3.2 (the new GIL) CPU-bound threads take turns on one GIL, while C code such as numpy releases it (Py_BEGIN_ALLOW_THREADS); ' +
    '3.12 gives each subinterpreter its own GIL (PEP 684; from Python code through concurrent.interpreters, PEP 734, in 3.14); ' +
    '3.13 adds the free-threaded build with no GIL (PEP 703), supported from 3.14 (PEP 779).',
  narrative:
    'The same job (a fixed amount of work, split evenly over the workers) runs serially and then in each mode. ' +
    'threads-hold is interpreted-style code under the shared lock; threads-release is native code that lets go of it (the numpy path); ' +
    `processes have a lock each; subinterpreters run ${INTERPRETER_POOL_LOCK_TEXT} (InterpreterPoolExecutor; ` +
    "an Interpreter({ ownLock: false }) would share the main lock, as Py_NewInterpreter's legacy default); " +
    'free-threaded has none; js-threads-hold is the TypeScript twin under the shared lock. ' +
    "free-threaded also runs at 1 worker: its speed against serial's is the free-threaded build's single-thread cost.",
  columns: CPU_BOUND_COLUMNS,
  traceable: true,
  footnotes: [
    'switches counts hand-offs of the lock from one thread to another. threads-release switches far more often than threads-hold: ' +
      'the job is cut into many work units, each one native call that releases the lock and takes it back, and another thread ' +
      "often takes it in between; threads-hold hands over only when a waiter's drop request forces it, about once per switch interval.",
    'threads-release models C code that releases the GIL for its whole call. numpy does so only inside some C loops: ' +
      'not for object arrays (dtype=object), not for small arrays (the release costs more than the loop), and never while it ' +
      'creates Python objects or calls back into Python.',
    'Real subinterpreters (PEP 684, PEP 734) cannot share objects: data crosses between them as copies or through shared ' +
      'buffers and queues; and many C extensions do not support them yet (they need multi-phase init and per-interpreter state).',
    'free-threaded at 1 worker against serial is the single-thread cost of running without a GIL. In CPython it comes from ' +
      'biased and atomic reference counting and per-object locks; this model charges its kernels no such cost, so expect the ' +
      "row near 1× here and see refcount's atomic ns/op for the price of atomics.",
  ],
  takes: ['workers', 'policy', 'switchIntervalMs', 'size', 'kernel'],
  measure: measureCpuBound,
});
