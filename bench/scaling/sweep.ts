// The scaling sweep engine: for every workload and worker count it starts a pool per mode, runs
// one warm-up batch on each (start-up, module loading and first-touch page faults stay out of the
// timings), then times `repeats` batches per mode and scaling type, taking turns among the modes,
// and keeps each point's median.
//
// It knows nothing of the executors or kernels: a mode starts pools, a workload makes batches of
// task calls and checks their results. ./modes.ts and ./workloads.ts supply the real ones; the
// tests supply synthetic ones.
import {
  efficiencyOf,
  fitSerialFraction,
  median,
  speedupOf,
  type ScalingLaw,
  type SerialFractionFit,
} from './analysis.js';
import { batchTiming, pointTiming, type BatchTiming, type PointTiming, type RawBatchTiming } from './timing.js';

export type ScalingType = 'strong' | 'weak';
export const SCALING_TYPES: readonly ScalingType[] = ['strong', 'weak'];

/** How a mode's workers receive shared memory: SharedArrayBuffer (threads) or a named segment (processes). */
export type Transport = 'thread' | 'process';

/** One call of an export of the task module, with cloneable arguments. */
export interface TaskCall {
  task: string;
  args: unknown[];
}

export interface WorkloadBatch {
  tasks: TaskCall[];
  /** The work in the workload's unit (numbers tested, elements updated), for the record. */
  workUnits: number;
  /** Bytes the batch moves through memory, for memory-bound workloads (GB/s is reported then). */
  bytes?: number;
}

export interface SweepWorkload {
  name: string;
  kind: 'cpu-bound' | 'memory-bound';
  /** What one batch computes, in words, with its sizes. */
  description: string;
  /** The unit of workUnits ('numbers', 'elements'). */
  unit: string;
  /** The batch for `workers` workers: fixed total work (strong) or fixed work per worker (weak). */
  batch(type: ScalingType, workers: number, transport: Transport): WorkloadBatch;
  /** A cheap batch that touches what the real ones touch, run once on every fresh pool. */
  warmup(workers: number, transport: Transport): WorkloadBatch;
  /** Throws if a batch's results are wrong (every result is used, so nothing can be skipped). */
  check(type: ScalingType, workers: number, results: readonly unknown[]): void;
  /** False for a transport the workload cannot run on here (its modes are then skipped); default true. */
  supportsTransport?(transport: Transport): boolean;
  /** Frees what the workload allocated. */
  dispose?(): void | Promise<void>;
}

/** A batch's results, in task order, and (from pools that time their tasks) each task's timing. */
export interface PoolRun {
  results: unknown[];
  timing?: RawBatchTiming;
}

export interface SweepPool {
  /** Runs every task on the pool at once and resolves with their results (and timings). */
  run(tasks: readonly TaskCall[]): Promise<PoolRun>;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Each worker on a CPU of its own (round robin when there are more workers than CPUs). */
  pin: boolean;
}

export interface SweepMode {
  name: string;
  description: string;
  transport: Transport;
  /** Whether the workers take turns under one lock (then a task off its CPU is waiting for it). */
  lockShared?: boolean;
  /** Starts `workers` workers and resolves once all of them are running. */
  startPool(workers: number, options: PoolOptions): Promise<SweepPool>;
}

export interface SweepProgress {
  done: number;
  total: number;
  status: string;
}

export interface SweepOptions {
  workloads: readonly SweepWorkload[];
  modes: readonly SweepMode[];
  /** Ascending, starting at 1 (speedups are relative to one worker). */
  workerCounts: readonly number[];
  types?: readonly ScalingType[];
  /** Timed batches per point (≥ 3); the point is their median. */
  repeats: number;
  /** Hardware threads: the serial-fraction fits use the points with workers ≤ cores. */
  cores: number;
  /** Pin each worker to a CPU of its own (default false). */
  pin?: boolean;
  /** Milliseconds, monotonic; performance.now by default. */
  clock?: () => number;
  onProgress?: (progress: SweepProgress) => void;
}

export interface SweepPoint {
  workers: number;
  /** Every timed batch, in run order. */
  timesMs: number[];
  medianMs: number;
  workUnits: number;
  bytes?: number;
  /** Over the same mode's one-worker median (weak: scaled speedup n·T(1)/T(n)). */
  speedup: number;
  efficiency: number;
  /** Memory-bound workloads: bytes moved per second at the median time, in GB/s (10^9). */
  gbPerSec?: number;
  /** Where the time went, over the point's batches (when the pool timed its tasks). */
  timing?: PointTiming;
  /** Every timed batch's per-task timings, in run order (when the pool timed its tasks). */
  batches?: BatchTiming[];
}

export interface SweepSeries {
  workload: string;
  mode: string;
  type: ScalingType;
  points: SweepPoint[];
  /** Amdahl for strong scaling, Gustafson for weak; over points with workers ≤ cores. */
  fit: SerialFractionFit | null;
}

export interface SweepResult {
  workerCounts: number[];
  cores: number;
  repeats: number;
  types: ScalingType[];
  workloads: { name: string; kind: string; description: string; unit: string }[];
  modes: { name: string; description: string; lockShared: boolean }[];
  /** Whether the workers were pinned, each to a CPU of its own. */
  pin: boolean;
  series: SweepSeries[];
  /** Workload and mode pairs not run (the workload does not support the mode's transport here). */
  skipped: { workload: string; mode: string }[];
  /** Wall time of the whole sweep, pool start-ups included. */
  elapsedMs: number;
}

/** 1, 2, 4, … up to `cores`, then `cores` itself and 2 × cores (each once, ascending). */
export function defaultWorkerCounts(cores: number): number[] {
  if (typeof cores !== 'number') throw new TypeError(`cores must be a number, got ${typeof cores}`);
  if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`cores must be an integer ≥ 1, got ${cores}`);
  const counts = new Set<number>();
  for (let n = 1; n <= cores; n *= 2) counts.add(n);
  counts.add(cores);
  counts.add(2 * cores);
  return [...counts].sort((a, b) => a - b);
}

export const lawFor = (type: ScalingType): ScalingLaw => (type === 'strong' ? 'amdahl' : 'gustafson');

function checkOptions(options: SweepOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  for (const key of ['workloads', 'modes', 'workerCounts'] as const) {
    if (!Array.isArray(options[key])) throw new TypeError(`options.${key} must be an array`);
    if (options[key].length === 0) throw new RangeError(`options.${key} must not be empty`);
  }
  options.workerCounts.forEach((n, i) => {
    if (typeof n !== 'number') throw new TypeError(`options.workerCounts[${i}] must be a number`);
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`options.workerCounts[${i}] must be an integer ≥ 1, got ${n}`);
    if (i > 0 && n <= options.workerCounts[i - 1]!)
      throw new RangeError('options.workerCounts must be strictly ascending');
  });
  if (options.pin !== undefined && typeof options.pin !== 'boolean') {
    throw new TypeError(`options.pin must be a boolean, got ${typeof options.pin}`);
  }
  if (options.workerCounts[0] !== 1) throw new RangeError('options.workerCounts must start at 1 (the baseline)');
  if (typeof options.repeats !== 'number') throw new TypeError('options.repeats must be a number');
  if (!Number.isInteger(options.repeats) || options.repeats < 3) {
    throw new RangeError(`options.repeats must be an integer ≥ 3 (each point is a median), got ${options.repeats}`);
  }
  if (typeof options.cores !== 'number') throw new TypeError('options.cores must be a number');
  if (!Number.isInteger(options.cores) || options.cores < 1)
    throw new RangeError(`options.cores must be an integer ≥ 1, got ${options.cores}`);
  const types = options.types ?? SCALING_TYPES;
  if (!Array.isArray(types) || types.length === 0) throw new RangeError('options.types must be a non-empty array');
  for (const t of types)
    if (t !== 'strong' && t !== 'weak') throw new RangeError(`options.types: unknown type ${String(t)}`);
}

/**
 * Runs the sweep. For each workload and worker count, every mode's pool is started and warmed up,
 * then the repeats go round the modes (mode A, B, C, A, B, C, …), so that a slow spell on the
 * machine falls on all modes alike rather than on whichever happened to run then. Pools are
 * always closed, also when a batch fails.
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  checkOptions(options);
  const clock = options.clock ?? (() => performance.now());
  const types = [...(options.types ?? SCALING_TYPES)];
  const counts = [...options.workerCounts];
  const total = options.workloads.length * options.modes.length * counts.length * types.length;
  let done = 0;
  const started = clock();
  const series: SweepSeries[] = [];
  const skipped: { workload: string; mode: string }[] = [];
  const pin = options.pin ?? false;
  type Raw = { workers: number; timesMs: number[]; timings: BatchTiming[]; workUnits: number; bytes?: number };

  for (const workload of options.workloads) {
    try {
      const modes = options.modes.filter((mode) => {
        if (workload.supportsTransport?.(mode.transport) !== false) return true;
        done += counts.length * types.length;
        skipped.push({ workload: workload.name, mode: mode.name });
        return false;
      });
      // raw[mode][type]: one entry per worker count.
      const raw = modes.map(() => new Map<ScalingType, Raw[]>(types.map((t) => [t, []])));
      for (const workers of counts) {
        const pools: SweepPool[] = [];
        try {
          for (const mode of modes) {
            options.onProgress?.({ done, total, status: `${workload.name} ×${workers}: starting ${mode.name}` });
            const pool = await mode.startPool(workers, { pin });
            pools.push(pool);
            await pool.run(workload.warmup(workers, mode.transport).tasks);
          }
          for (const type of types) {
            options.onProgress?.({ done, total, status: `${workload.name} ${type} ×${workers}` });
            const batches = modes.map((mode) => workload.batch(type, workers, mode.transport));
            const times = modes.map(() => [] as number[]);
            const timings = modes.map(() => [] as BatchTiming[]);
            for (let r = 0; r < options.repeats; r++) {
              for (const [m, pool] of pools.entries()) {
                const tasks = batches[m]!.tasks;
                const t0 = clock();
                const outcome = await pool.run(tasks);
                const batchMs = clock() - t0;
                times[m]!.push(batchMs);
                workload.check(type, workers, outcome.results);
                if (outcome.timing !== undefined) timings[m]!.push(batchTiming(outcome.timing, tasks.length, batchMs));
              }
            }
            modes.forEach((_, m) => {
              const { workUnits, bytes } = batches[m]!;
              raw[m]!.get(type)!.push({ workers, timesMs: times[m]!, timings: timings[m]!, workUnits, bytes });
            });
            done += modes.length;
          }
        } finally {
          for (const pool of pools) await pool.close();
        }
      }
      for (const [m, mode] of modes.entries()) {
        for (const type of types) {
          const measured = raw[m]!.get(type)!;
          const baseline = median(measured[0]!.timesMs);
          const points: SweepPoint[] = measured.map((entry) => {
            const medianMs = median(entry.timesMs);
            const speedup = speedupOf(type, entry.workers, baseline, medianMs);
            const point: SweepPoint = {
              workers: entry.workers,
              timesMs: entry.timesMs,
              medianMs,
              workUnits: entry.workUnits,
              speedup,
              efficiency: efficiencyOf(entry.workers, speedup),
            };
            if (entry.bytes !== undefined) {
              point.bytes = entry.bytes;
              point.gbPerSec = entry.bytes / (medianMs / 1e3) / 1e9;
            }
            // Only a point whose every batch was timed is summarised (no mix of timed and untimed).
            if (entry.timings.length > 0 && entry.timings.length === entry.timesMs.length) {
              point.timing = pointTiming(entry.timings);
              point.batches = entry.timings;
            }
            return point;
          });
          const fitted = points.filter((p) => p.workers <= options.cores);
          series.push({
            workload: workload.name,
            mode: mode.name,
            type,
            points,
            fit: fitSerialFraction(lawFor(type), fitted),
          });
        }
      }
    } finally {
      await workload.dispose?.();
    }
  }
  options.onProgress?.({ done, total, status: 'done' });
  return {
    workerCounts: counts,
    cores: options.cores,
    repeats: options.repeats,
    types,
    workloads: options.workloads.map((w) => ({ name: w.name, kind: w.kind, description: w.description, unit: w.unit })),
    modes: options.modes.map((m) => ({ name: m.name, description: m.description, lockShared: m.lockShared ?? false })),
    pin,
    series,
    skipped,
    elapsedMs: clock() - started,
  };
}
