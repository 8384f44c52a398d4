// Executor statistics: task counts, queue-wait and run-time percentiles, per-worker utilization.
//
// Percentiles come from a uniform reservoir sample (Vitter's algorithm R) so that memory stays
// bounded over millions of tasks; below the reservoir's capacity they are exact.

export interface DurationSummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WorkerStats {
  /** The executor's own number for the worker (1, 2, ... in order of start). */
  workerId: number;
  /** worker_threads threadId (thread pools) or the child's pid (process pools). */
  threadId: number | null;
  pid: number | null;
  state: 'starting' | 'idle' | 'busy' | 'retiring';
  tasksCompleted: number;
  /** Sent to it and not yet done. */
  tasksInFlight: number;
  busyMs: number;
  aliveMs: number;
  /** busyMs / aliveMs: the fraction of its life the worker spent running tasks. */
  utilization: number;
}

export interface ExecutorStats {
  /**
   * How the workers' tasks share an interpreter lock, in words, first so that a printed stats()
   * says it before anything else: a default ThreadPoolExecutor runs every task under the one
   * shared lock (the GIL), so plain JavaScript tasks run one at a time.
   */
  lock: string;
  kind: 'thread' | 'process';
  maxWorkers: number;
  tasksSubmitted: number;
  /** Ran to the end, with a value or an error. */
  tasksCompleted: number;
  tasksSucceeded: number;
  tasksFailed: number;
  tasksCancelled: number;
  tasksAborted: number;
  /** Waiting in the executor's queue (not yet handed to a worker). */
  tasksQueued: number;
  /** Handed to a worker and not yet done (running, or next in that worker's batch). */
  tasksInFlight: number;
  workersStarted: number;
  workersExited: number;
  /** From submit() to the moment a worker starts the task. */
  queueWaitMs: DurationSummary;
  /** Time the task ran in its worker. */
  runTimeMs: DurationSummary;
  workers: WorkerStats[];
}

export class DurationReservoir {
  readonly #capacity: number;
  readonly #samples: Float64Array;
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(capacity = 16384) {
    this.#capacity = capacity;
    this.#samples = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (!(ms >= 0)) ms = 0; // clock skew between threads can give -0.00x
    const n = this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
    if (n < this.#capacity) {
      this.#samples[n] = ms;
    } else {
      const j = Math.floor(Math.random() * (n + 1));
      if (j < this.#capacity) this.#samples[j] = ms;
    }
  }

  summary(): DurationSummary {
    const n = Math.min(this.#count, this.#capacity);
    if (n === 0) return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    // Nearest-rank percentile.
    const at = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
    return {
      count: this.#count,
      meanMs: this.#sum / this.#count,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: this.#max,
    };
  }
}

/** The counts an executor keeps for stats(), named as stats() reports them. */
export class PoolCounters {
  tasksSubmitted = 0;
  /** Ran to the end in a worker, with a value or an error. */
  tasksCompleted = 0;
  tasksSucceeded = 0;
  tasksFailed = 0;
  tasksCancelled = 0;
  tasksAborted = 0;
  workersStarted = 0;
  workersExited = 0;
  readonly queueWait = new DurationReservoir();
  readonly runTime = new DurationReservoir();

  /** A task ran to its end in a worker (tasksCompleted): it waited `queueWaitMs` from submit() and ran `runMs`. */
  taskCompleted(queueWaitMs: number, runMs: number, ok: boolean): void {
    this.queueWait.add(queueWaitMs);
    this.runTime.add(runMs);
    this.tasksCompleted++;
    if (ok) this.tasksSucceeded++;
    else this.tasksFailed++;
  }

  snapshot(
    pool: Pick<ExecutorStats, 'lock' | 'kind' | 'maxWorkers' | 'tasksQueued'>,
    workers: WorkerStats[],
  ): ExecutorStats {
    let tasksInFlight = 0;
    for (const w of workers) tasksInFlight += w.tasksInFlight;
    return {
      lock: pool.lock,
      kind: pool.kind,
      maxWorkers: pool.maxWorkers,
      tasksSubmitted: this.tasksSubmitted,
      tasksCompleted: this.tasksCompleted,
      tasksSucceeded: this.tasksSucceeded,
      tasksFailed: this.tasksFailed,
      tasksCancelled: this.tasksCancelled,
      tasksAborted: this.tasksAborted,
      tasksQueued: pool.tasksQueued,
      tasksInFlight,
      workersStarted: this.workersStarted,
      workersExited: this.workersExited,
      queueWaitMs: this.queueWait.summary(),
      runTimeMs: this.runTime.summary(),
      workers,
    };
  }
}
