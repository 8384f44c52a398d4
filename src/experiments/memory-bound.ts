// memory-bound: native kernels that release the lock scale with threads until memory bandwidth
// runs out; a memory-bound kernel stops scaling where a compute-bound one keeps going.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ThreadPoolExecutor } from '../executors/index.js';
import { formatGBps, formatSeconds, formatSpeedup, type TableColumn } from '../report/index.js';
import { task } from './harness.js';
import { plural, round, times } from './measure.js';
import { bySize } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { CpuWorkSpec } from './tasks.js';
import type { ExperimentOptions, Measurement, Size, Verdict } from './types.js';

export type MemoryKernel = 'sum' | 'triad' | 'countPrimes';

export interface MemoryBoundRow extends Record<string, string | number | boolean | null> {
  /** sum and triad stream memory; countPrimes is the compute-bound control. */
  kernel: MemoryKernel;
  workers: number;
  seconds: number;
  /** Bytes moved per second (null for the compute control). */
  gbPerSecond: number | null;
  /** Against the same kernel on one worker. */
  speedup: number;
}

export const MEMORY_BOUND_COLUMNS: TableColumn[] = [
  { key: 'kernel' },
  { key: 'workers' },
  { key: 'seconds', format: (v) => formatSeconds(v as number) },
  { key: 'gbPerSecond', header: 'bandwidth', format: (v) => formatGBps((v as number) * 1e9) },
  { key: 'speedup', format: (v) => formatSpeedup(v as number) },
];

/** The compute-bound control "scales" from this speedup on; below it the run cannot compare anything. */
export const CONTROL_SCALES_FROM = 1.2;
/** Memory-bound kernels "stop scaling" when their best speedup stays below this share of the compute control's. */
export const MEMORY_SCALING_SHARE = 0.85;

/**
 * The claim: memory-bound kernels stop scaling at memory bandwidth, lock or no lock — at N workers
 * their speedup falls clearly short of a compute-bound kernel's. `context.cpus`: the machine's CPUs.
 */
export function memoryBoundVerdict(rows: readonly MemoryBoundRow[], context?: { cpus: number }): Verdict {
  const top = Math.max(...rows.map((row) => row.workers));
  const at = (kernel: MemoryKernel) => rows.find((row) => row.kernel === kernel && row.workers === top);
  const control = at('countPrimes');
  const memory = (['sum', 'triad'] as MemoryKernel[]).map(at).filter((row): row is MemoryBoundRow => row !== undefined);
  if (top < 2)
    return { holds: null, text: 'With 1 worker there is nothing to scale: the claim is about scaling over 2 or more.' };
  // On one CPU nothing scales: a control that seems to is noise, one that does not says nothing.
  if (context !== undefined && context.cpus < 2) {
    return {
      holds: null,
      text: `With ${plural(context.cpus, 'CPU')} nothing can run in parallel, so the claim cannot be tested here; it needs 2 or more CPUs.`,
    };
  }
  if (!control || memory.length === 0) {
    return { holds: false, text: 'The run lacks a memory-bound kernel or the compute-bound control.' };
  }
  // Not testable when the compute-bound control did not scale either (busy CPUs): there is no
  // scaling for the memory-bound kernels to fall short of.
  if (control.speedup < CONTROL_SCALES_FROM) {
    return {
      holds: null,
      text:
        `The compute-bound control (countPrimes) itself reached only ${times(control.speedup)} with ${top} workers, ` +
        'so the CPUs were not free to show any scaling, memory-bound or not.',
    };
  }
  const best = memory.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  // Not testable where memory keeps up with every worker: until the bandwidth runs out, memory-bound
  // and compute-bound kernels scale alike, so the control and the kernels cannot separate.
  const holds = best.speedup < MEMORY_SCALING_SHARE * control.speedup ? true : null;
  const figures = memory
    .map((row) => `${row.kernel} ${times(row.speedup)} (${formatGBps((row.gbPerSecond ?? 0) * 1e9)})`)
    .join(', ');
  let text = `With ${top} workers releasing the lock, ${figures}, against ${times(control.speedup)} for compute-bound countPrimes.`;
  text += holds
    ? ' Memory bandwidth, not the lock, is the limit.'
    : ` The memory-bound kernels still scaled with ${top} workers: this machine's memory keeps up with ${top} cores, so the ` +
      'bandwidth limit is beyond what this run can reach (it shows on machines with more cores than memory channels can feed).';
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

function sharedArray(elements: number, value: (i: number) => number): Float64Array {
  const array = new Float64Array(new SharedArrayBuffer(elements * 8));
  // Written once up front, so that page faults are not part of any timed pass.
  for (let i = 0; i < elements; i++) array[i] = value(i);
  return array;
}

/** Worker w of n gets elements [w * len / n, (w + 1) * len / n), cut at 8-element boundaries. */
function slice(array: Float64Array, w: number, n: number): Float64Array {
  const blocks = array.length / 8;
  return array.subarray(Math.floor((w * blocks) / n) * 8, Math.floor(((w + 1) * blocks) / n) * 8);
}

/** Bytes streamed (sum's array; triad's three arrays together) and passes, per size (the numpy twin's too). */
export function memorySizes(size: Size): { bytes: number; passes: number } {
  return { bytes: bySize(size, [2, 96, 384, 1536]) * 2 ** 20, passes: bySize(size, [1, 16, 16, 16]) };
}

async function measureMemoryBound(options: ExperimentOptions, step: Stepper): Promise<Measurement<MemoryBoundRow>> {
  const n = options.workers;
  const counts = Array.from({ length: n }, (_, i) => i + 1);
  // The arrays are far larger than any cache: sum streams `bytes`, triad three arrays of a third each.
  const { bytes, passes } = memorySizes(options.size);
  const sumArray = sharedArray(bytes / 8, (i) => (i % 1024) * 0.5);
  const third = Math.floor(bytes / 3 / 8 / 8) * 8;
  const triadA = sharedArray(third, () => 0);
  const triadB = sharedArray(third, (i) => i % 7);
  const triadC = sharedArray(third, (i) => i % 5);
  const compute: CpuWorkSpec = {
    kernel: 'countPrimes',
    units: options.size === 'tiny' ? 24 : 480,
    unitSize: bySize(options.size, [200, 1200, 4800, 19_200]),
  };
  const kernels: MemoryKernel[] = ['sum', 'triad', 'countPrimes'];
  const repeats = bySize(options.size, [1, 3, 3, 5]);
  step.plan(kernels.length * counts.length * repeats);
  const rows: MemoryBoundRow[] = [];
  const pool = new ThreadPoolExecutor({ maxWorkers: n, lock: 'shared' });
  try {
    await pool.start();
    await Promise.all(
      Array.from({ length: n }, (_, w) =>
        pool.submit(task('memoryPasses'), 'sum', slice(sumArray, w, n), null, null, 1),
      ),
    );
    // Every (kernel, workers) pair once per repeat, keeping the fastest run of each: load from
    // elsewhere on the machine spoils one run of each pair rather than every run of one.
    const best = new Map<string, number>();
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const kernel of kernels) {
        for (const workers of counts) {
          step(`${kernel}, ${plural(workers, 'worker')}${repeats > 1 ? `, run ${repeat + 1}/${repeats}` : ''}`);
          const t0 = performance.now();
          await Promise.all(
            Array.from({ length: workers }, (_, w) => {
              if (kernel === 'countPrimes') return pool.submit(task('cpuShare'), compute, w, workers, 'release');
              if (kernel === 'sum')
                return pool.submit(task('memoryPasses'), 'sum', slice(sumArray, w, workers), null, null, passes);
              return pool.submit(
                task('memoryPasses'),
                'triad',
                slice(triadA, w, workers),
                slice(triadB, w, workers),
                slice(triadC, w, workers),
                passes,
              );
            }),
          );
          const seconds = (performance.now() - t0) / 1000;
          const key = `${kernel}@${workers}`;
          if (!(seconds >= (best.get(key) ?? Infinity))) best.set(key, seconds);
        }
      }
    }
    for (const kernel of kernels) {
      const oneWorker = best.get(`${kernel}@1`)!;
      for (const workers of counts) {
        const seconds = best.get(`${kernel}@${workers}`)!;
        // STREAM's count: sum reads 8 bytes per element; triad reads 16 and writes 8.
        const moved = kernel === 'sum' ? sumArray.byteLength * passes : kernel === 'triad' ? third * 24 * passes : null;
        rows.push({
          kernel,
          workers,
          seconds: round(seconds),
          gbPerSecond: moved === null ? null : round(moved / seconds / 1e9),
          speedup: round(oneWorker / seconds),
        });
      }
    }
  } finally {
    await pool.shutdown();
  }
  return {
    rows,
    verdict: memoryBoundVerdict(rows, { cpus: os.availableParallelism() }),
    charts: [
      {
        title: 'Speedup vs workers: memory-bound kernels and a compute-bound control',
        caption:
          'Every kernel releases the lock. Where sum and triad fall below countPrimes, memory bandwidth is the limit; where they track it, memory kept up.',
        xLabel: 'workers',
        yLabel: 'speedup over 1 worker (×)',
        ideal: 'y=x',
        series: kernels.map((kernel) => ({
          label: kernel,
          points: rows.filter((r) => r.kernel === kernel).map((r) => ({ x: r.workers, y: r.speedup })),
        })),
      },
    ],
  };
}

export const memoryBound = defineExperiment<MemoryBoundRow>({
  name: 'memory-bound',
  question: 'Does releasing the lock make memory-bound native code scale with threads?',
  claim: 'Memory-bound native kernels stop scaling at memory bandwidth, lock or no lock.',
  inCpython:
    "numpy releases the GIL in its loops in every Python 3, and memory bandwidth caps them the same on 3.13's free-threaded build (PEP 703).",
  narrative:
    'sum and STREAM triad over arrays far larger than the caches run on 1..N threads that let go of the lock, ' +
    'as numpy does; countPrimes, compute-bound, runs the same way as the control. The question is whether the memory ' +
    'bus runs out before the cores do.',
  columns: MEMORY_BOUND_COLUMNS,
  traceable: false,
  takes: ['workers', 'size'],
  measure: measureMemoryBound,
});
