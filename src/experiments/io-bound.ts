// io-bound: threads are still good for I/O-bound work, because a blocking call releases the lock.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleepOnLoop } from 'node:timers/promises';
import { kernels } from '../kernels/index.js';
import { Interpreter } from '../interpreter.js';
import { ThreadPoolExecutor } from '../executors/index.js';
import type { KernelMode } from '../kernels/index.js';
import { formatCount, formatSeconds, formatSpeedup, type TableColumn } from '../report/index.js';
import { lockTrace, task, TRACE_CAPACITY, withMainLock, workerLabels } from './harness.js';
import { plural, round, times } from './measure.js';
import { bySize, switchIntervalUs } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { ExperimentOptions, LockTrace, Measurement } from './types.js';

export type IoMode = 'serial' | 'threads' | 'threads-holding' | 'event-loop';

export interface IoBoundRow extends Record<string, string | number | boolean | null> {
  /** serial: one thread does every operation; threads: N threads that release the lock around each
   * blocking call; threads-holding: N threads that block while holding it; event-loop: N operations
   * at a time as non-blocking waits on one thread's event loop (Node's own: the asyncio analogue). */
  mode: IoMode;
  threads: number;
  operations: number;
  seconds: number;
  opsPerSecond: number;
  /** opsPerSecond / serial opsPerSecond. */
  speedup: number;
}

export const IO_BOUND_COLUMNS: TableColumn[] = [
  { key: 'mode' },
  { key: 'threads' },
  { key: 'operations', header: 'operations', format: (v) => formatCount(v as number) },
  { key: 'seconds', format: (v) => formatSeconds(v as number) },
  { key: 'opsPerSecond', header: 'ops/s', format: (v) => formatCount(Math.round(v as number)) },
  { key: 'speedup', format: (v) => formatSpeedup(v as number) },
];

/** Threads "help" I/O when their throughput reaches this fraction of the thread count. */
export const IO_EFFICIENCY = 0.6;

/** The claim: N threads doing blocking I/O get close to N× the throughput of one, despite the lock. */
export function ioBoundVerdict(rows: readonly IoBoundRow[]): { holds: boolean; text: string } {
  const threads = rows.find((row) => row.mode === 'threads');
  const holding = rows.find((row) => row.mode === 'threads-holding');
  if (!threads) return { holds: false, text: 'The run has no threads row.' };
  if (threads.threads < 2)
    return { holds: false, text: 'With one thread there is nothing to overlap; use --workers 2 or more.' };
  const needed = IO_EFFICIENCY * threads.threads;
  const holds = threads.speedup >= needed;
  let text =
    `${threads.threads} threads that release the lock while they block did ${formatCount(Math.round(threads.opsPerSecond))} operations/s, ` +
    `${times(threads.speedup)} one thread's rate`;
  text += holding ? `; threads that block while holding it managed only ${times(holding.speedup)}` : '';
  const loop = rows.find((row) => row.mode === 'event-loop');
  text += loop
    ? `; one thread's event loop with ${threads.threads} operations in flight (the asyncio analogue) reached ${times(loop.speedup)}. ` +
      'An event loop overlaps the waits without threads (no switches, no lock to hand over) and wins when the waits are many and ' +
      'the libraries are non-blocking; threads win when the only API blocks, or when the work between waits is native code that releases the lock.'
    : '.';
  if (!holds) text += ` That is below ${times(needed)}: the waits did not overlap as they should.`;
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

/** One operation: a 1 ms blocking wait (a request to a slow server), then 20 µs of work on the answer. */
export const IO_LATENCY_NS = 1_000_000;
export const IO_WORK_NS = 20_000;

/**
 * The same operations as non-blocking I/O on this thread's event loop, `lanes.length` at a time (as
 * asyncio.gather would run them): each waits IO_LATENCY_NS without blocking the thread (a timer, as
 * a non-blocking socket would), then works IO_WORK_NS. The thread holds the main lock for the whole
 * row, as asyncio's loop thread holds the GIL while it runs callbacks; nothing else wants it here.
 */
async function eventLoopOperations(lanes: number[]): Promise<number> {
  const main = Interpreter.main();
  await main.acquireAsync();
  try {
    const t0 = performance.now();
    await Promise.all(
      lanes.map(async (count) => {
        for (let i = 0; i < count; i++) {
          await sleepOnLoop(IO_LATENCY_NS / 1e6);
          kernels.spin(IO_WORK_NS, { interpreter: main });
        }
      }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    main.release();
  }
}

async function measureIoBound(options: ExperimentOptions, step: Stepper): Promise<Measurement<IoBoundRow>> {
  const n = options.workers;
  const total = bySize(options.size, [24, 300, 1200, 4800]);
  // Split evenly: n threads, the first total % n of them one operation more.
  const shares = (threads: number) =>
    Array.from({ length: threads }, (_, i) => Math.floor(total / threads) + (i < total % threads ? 1 : 0));
  const plans: { mode: IoMode; threads: number; kernelMode: KernelMode }[] = [
    { mode: 'serial', threads: 1, kernelMode: 'release' },
    { mode: 'threads', threads: n, kernelMode: 'release' },
    { mode: 'threads-holding', threads: n, kernelMode: 'hold' },
  ];
  step.plan(plans.length + 1);
  const rows: IoBoundRow[] = [];
  const traces: LockTrace[] = [];
  await withMainLock({ policy: options.policy ?? 'cpython', switchIntervalUs: switchIntervalUs(options) }, async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: n, lock: 'shared' });
    try {
      await pool.start();
      await Promise.all(Array.from({ length: n }, () => pool.submit(task('ioOperations'), 1, 1000, 1000, 'release')));
      let serialRate = NaN;
      for (const plan of plans) {
        step(`${plan.mode}, ${plural(plan.threads, 'thread')}`);
        const main = Interpreter.main();
        const tracing = options.trace && plan.mode === 'threads';
        if (tracing) main.startTrace({ capacity: TRACE_CAPACITY });
        const t0 = performance.now();
        let results: { threadId: number }[];
        try {
          results = await Promise.all(
            shares(plan.threads).map((count) =>
              pool.submit<{ threadId: number }>(
                task('ioOperations'),
                count,
                IO_LATENCY_NS,
                IO_WORK_NS,
                plan.kernelMode,
              ),
            ),
          );
        } catch (error) {
          if (tracing) main.stopTrace();
          throw error;
        }
        const seconds = (performance.now() - t0) / 1000;
        if (tracing) {
          traces.push(
            lockTrace(
              `${plan.threads} threads doing blocking I/O`,
              main.stopTrace(),
              workerLabels(results.map((r) => r.threadId)),
            ),
          );
        }
        const rate = total / seconds;
        if (plan.mode === 'serial') serialRate = rate;
        rows.push({
          mode: plan.mode,
          threads: plan.threads,
          operations: total,
          seconds: round(seconds),
          opsPerSecond: round(rate),
          speedup: round(rate / serialRate),
        });
      }
      step(`event-loop, ${plural(n, 'operation')} in flight on one thread`);
      const seconds = await eventLoopOperations(shares(n));
      rows.push({
        mode: 'event-loop',
        threads: 1,
        operations: total,
        seconds: round(seconds),
        opsPerSecond: round(total / seconds),
        speedup: round(total / seconds / serialRate),
      });
    } finally {
      await pool.shutdown();
    }
  });
  return {
    rows,
    verdict: ioBoundVerdict(rows),
    ...(traces.length > 0 ? { traces } : {}),
    charts: [
      {
        title: 'I/O-bound throughput, operations per second',
        xLabel: 'threads',
        yLabel: 'operations per second',
        series: [
          {
            label: 'release the lock while blocked',
            points: rows
              .filter((r) => r.mode === 'serial' || r.mode === 'threads')
              .map((r) => ({ x: r.threads, y: r.opsPerSecond })),
          },
          {
            label: 'hold the lock while blocked',
            points: rows
              .filter((r) => r.mode === 'serial' || r.mode === 'threads-holding')
              .map((r) => ({ x: r.threads, y: r.opsPerSecond })),
          },
        ],
      },
    ],
  };
}

export const ioBound = defineExperiment<IoBoundRow>({
  name: 'io-bound',
  question: 'Do threads still help with I/O-bound work under the lock?',
  claim: 'Threads are still great for I/O-bound work, because blocking I/O releases the lock.',
  inCpython:
    'Every Python 3 releases the GIL around blocking system calls (Py_BEGIN_ALLOW_THREADS); asyncio (3.4, PEP 3156) overlaps the same waits on one thread; ' +
    'the free-threaded build (3.13, PEP 703) changes nothing here.',
  narrative:
    'Each operation waits 1 ms in a blocking call (a request to a slow server) and then works 20 µs on the answer holding the lock. ' +
    'The same operations run on one thread, then spread over N threads that let go of the lock while they block, ' +
    'over N threads that block while holding it (a C extension that forgot Py_BEGIN_ALLOW_THREADS), ' +
    "and as N operations in flight on one thread's event loop (Node's own loop: the asyncio analogue, non-blocking waits, no threads).",
  columns: IO_BOUND_COLUMNS,
  traceable: true,
  takes: ['workers', 'policy', 'switchIntervalMs', 'size'],
  measure: measureIoBound,
});
