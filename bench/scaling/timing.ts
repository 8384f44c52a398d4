// Per-task timing of the sweep's batches, and what each point's batches say about where the time
// went: dispatch spread (last start − first start), imbalance (slowest task − median task), the
// CPU/wall ratio of each task (well below 1: the worker was off its CPU — descheduled, or waiting
// for a lock), and how many tasks each worker ran.
//
// Workers report absolute times on CLOCK_MONOTONIC (one clock for all threads and processes) and
// the CPU time their thread (worker threads) or process (child processes) spent; the pool records
// the dispatch time on the same clock just before it submits the batch.

/** What a worker reports for one task (absolute times, ns). */
export interface RawTaskTiming {
  pid: number;
  /** worker_threads.threadId (0: a process's main thread). */
  threadId: number;
  startNs: number;
  endNs: number;
  /** CPU time spent during the task, ns, by the clock named in cpuClock. */
  cpuNs: number;
  cpuClock: 'thread' | 'process';
  /** sched_getcpu() at the start and end of the task (null where the OS cannot say). */
  cpuAtStart: number | null;
  cpuAtEnd: number | null;
  /** The CPU this worker is pinned to (--pin), or null. */
  pinnedCpu: number | null;
}

/** A batch as the pool saw it: its dispatch time and one report per task, in task order. */
export interface RawBatchTiming {
  dispatchNs: number;
  tasks: RawTaskTiming[];
}

/** One task, relative to its batch's dispatch (ms). */
export interface TaskTiming {
  /** "pid/threadId": which worker ran it. */
  worker: string;
  startMs: number;
  endMs: number;
  cpuMs: number;
  /** cpuMs / (endMs − startMs); null for a task too short to time. */
  cpuWall: number | null;
  cpuClock: 'thread' | 'process';
  cpuAtStart: number | null;
  cpuAtEnd: number | null;
  pinnedCpu: number | null;
}

export interface BatchStats {
  /** The batch's wall time as the sweep measured it (dispatch to all results back). */
  batchMs: number;
  dispatchSpreadMs: number;
  /** max − median of the tasks' wall times. */
  imbalanceMs: number;
  cpuWallMin: number | null;
  cpuWallMedian: number | null;
  /** Distinct workers that ran a task, and the fewest and most tasks one of them ran. */
  workersUsed: number;
  tasksPerWorkerMin: number;
  tasksPerWorkerMax: number;
}

export interface BatchTiming extends BatchStats {
  tasks: TaskTiming[];
}

/** A point's batches summarised: medians over its batches, CPU/wall over all its tasks. */
export interface PointTiming {
  batches: number;
  dispatchSpreadMs: number;
  /** Median over batches of spread / batch time. */
  dispatchSpreadFraction: number;
  imbalanceMs: number;
  imbalanceFraction: number;
  cpuWallMin: number | null;
  cpuWallMedian: number | null;
  /** Over all batches: the fewest and most tasks one worker ran in a batch. */
  tasksPerWorkerMin: number;
  tasksPerWorkerMax: number;
  /** The fewest distinct workers any batch used. */
  workersUsedMin: number;
  /** Tasks that ended on another CPU than they started on. */
  migratedTasks: number;
  /** Whether every worker was pinned to a CPU. */
  pinned: boolean;
}

const TOO_SHORT_MS = 1e-3; // a task under a microsecond has no meaningful CPU/wall ratio

function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function checkFinite(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${value}`);
  return value;
}

/** Checks a worker's report (it crossed a thread or process boundary) and makes it relative to dispatch. */
export function relativeTiming(dispatchNs: number, raw: RawTaskTiming, name = 'timing'): TaskTiming {
  if (typeof raw !== 'object' || raw === null) throw new TypeError(`${name} must be an object`);
  checkFinite(dispatchNs, 'dispatchNs');
  const startNs = checkFinite(raw.startNs, `${name}.startNs`);
  const endNs = checkFinite(raw.endNs, `${name}.endNs`);
  const cpuNs = checkFinite(raw.cpuNs, `${name}.cpuNs`);
  if (endNs < startNs) throw new RangeError(`${name}: endNs (${endNs}) is before startNs (${startNs})`);
  if (cpuNs < 0) throw new RangeError(`${name}.cpuNs must be ≥ 0, got ${cpuNs}`);
  if (raw.cpuClock !== 'thread' && raw.cpuClock !== 'process') {
    throw new RangeError(`${name}.cpuClock must be 'thread' or 'process', got ${String(raw.cpuClock)}`);
  }
  const wallMs = (endNs - startNs) / 1e6;
  return {
    worker: `${checkFinite(raw.pid, `${name}.pid`)}/${checkFinite(raw.threadId, `${name}.threadId`)}`,
    startMs: (startNs - dispatchNs) / 1e6,
    endMs: (endNs - dispatchNs) / 1e6,
    cpuMs: cpuNs / 1e6,
    cpuWall: wallMs < TOO_SHORT_MS ? null : cpuNs / 1e6 / wallMs,
    cpuClock: raw.cpuClock,
    cpuAtStart: raw.cpuAtStart ?? null,
    cpuAtEnd: raw.cpuAtEnd ?? null,
    pinnedCpu: raw.pinnedCpu ?? null,
  };
}

/** The statistics of one batch of relative task timings, `batchMs` long. */
export function batchStats(tasks: readonly TaskTiming[], batchMs: number): BatchStats {
  if (!Array.isArray(tasks) || tasks.length === 0) throw new RangeError('tasks must be a non-empty array');
  checkFinite(batchMs, 'batchMs');
  if (batchMs <= 0) throw new RangeError(`batchMs must be positive, got ${batchMs}`);
  const starts = tasks.map((t) => t.startMs);
  const walls = tasks.map((t) => t.endMs - t.startMs);
  const ratios = tasks.map((t) => t.cpuWall).filter((r): r is number => r !== null);
  const perWorker = new Map<string, number>();
  for (const t of tasks) perWorker.set(t.worker, (perWorker.get(t.worker) ?? 0) + 1);
  const counts = [...perWorker.values()];
  return {
    batchMs,
    dispatchSpreadMs: Math.max(...starts) - Math.min(...starts),
    imbalanceMs: Math.max(...walls) - middle(walls),
    cpuWallMin: ratios.length > 0 ? Math.min(...ratios) : null,
    cpuWallMedian: ratios.length > 0 ? middle(ratios) : null,
    workersUsed: perWorker.size,
    tasksPerWorkerMin: Math.min(...counts),
    tasksPerWorkerMax: Math.max(...counts),
  };
}

/** A batch's raw report (checked against the number of tasks) as relative timings with statistics. */
export function batchTiming(raw: RawBatchTiming, taskCount: number, batchMs: number): BatchTiming {
  if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.tasks)) {
    throw new TypeError('a batch timing must be { dispatchNs, tasks: [...] }');
  }
  if (raw.tasks.length !== taskCount) {
    throw new RangeError(`a batch of ${taskCount} tasks reported ${raw.tasks.length} timings`);
  }
  const tasks = raw.tasks.map((t, i) => relativeTiming(raw.dispatchNs, t, `tasks[${i}]`));
  return { ...batchStats(tasks, batchMs), tasks };
}

/** The point's summary over its batches. */
export function pointTiming(batches: readonly BatchTiming[]): PointTiming {
  if (!Array.isArray(batches) || batches.length === 0) throw new RangeError('batches must be a non-empty array');
  const all = batches.flatMap((b) => b.tasks);
  const ratios = all.map((t) => t.cpuWall).filter((r): r is number => r !== null);
  return {
    batches: batches.length,
    dispatchSpreadMs: middle(batches.map((b) => b.dispatchSpreadMs)),
    dispatchSpreadFraction: middle(batches.map((b) => b.dispatchSpreadMs / b.batchMs)),
    imbalanceMs: middle(batches.map((b) => b.imbalanceMs)),
    imbalanceFraction: middle(batches.map((b) => b.imbalanceMs / b.batchMs)),
    cpuWallMin: ratios.length > 0 ? Math.min(...ratios) : null,
    cpuWallMedian: ratios.length > 0 ? middle(ratios) : null,
    tasksPerWorkerMin: Math.min(...batches.map((b) => b.tasksPerWorkerMin)),
    tasksPerWorkerMax: Math.max(...batches.map((b) => b.tasksPerWorkerMax)),
    workersUsedMin: Math.min(...batches.map((b) => b.workersUsed)),
    migratedTasks: all.filter((t) => t.cpuAtStart !== null && t.cpuAtEnd !== null && t.cpuAtStart !== t.cpuAtEnd)
      .length,
    pinned: all.every((t) => t.pinnedCpu !== null),
  };
}
