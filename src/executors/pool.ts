// What ThreadPoolExecutor and ProcessPoolExecutor share: the queue, dispatch in batches, futures,
// cancellation, abort, failure handling and shutdown. The subclasses only start workers
// (worker_threads or child_process.fork) and name their errors. Beside it: map() (map.ts, built on
// submitNormalized), one worker's bookkeeping and control block (pool-worker.ts), the options
// (options.ts), the counters behind stats() (stats.ts).
//
// Start: lazy. A worker starts when a task is queued and no idle worker can take it, up to
// maxWorkers (as Python's ThreadPoolExecutor does), and stays for the next tasks. start() starts
// them all up front (for measurements that must not include start-up).
//
// Dispatch: tasks go to workers in batches (one message carries many tasks, one message carries
// many results) so that small tasks cost little. A worker holds at most `pipelineDepth` tasks sent
// but not finished; the queue is shared out evenly among workers with room, so equal tasks spread
// over all workers. A task that was sent but has not started can still be cancelled: each has a
// slot in the worker's control block, which the worker claims atomically before starting it.

import type { TransferListItem } from 'node:worker_threads';
import { AbortError, BrokenExecutor, ExecutorShutdownError, rebuildThrown } from './errors.js';
import { abortOnSignal, futureInternals, settlesWithin, type AbortOutcome, type Future } from './future.js';
import { nowEpochMs, type FromWorker, type InitMessage } from './protocol.js';
import { PoolCounters, type ExecutorStats } from './stats.js';
import { checkSendableArgs, normalizeTask, type NormalizedTask, type Task } from './task.js';
import { unwrapTransfers } from './transfer.js';
import { kernelNames } from './builtin-kernels.js';
import { mapOverSubmit, type MapOptions } from './map.js';
// Short names for the overloads' types (typed-task.ts).
import type { BuiltinTaskArgs as Args, BuiltinTaskName as Builtin, BuiltinTaskResult as Result } from './typed-task.js';
import type { MapItems, TypedTask, UntypedModuleTask } from './typed-task.js';
import { checkExecutorOptions, checkShutdownOptions, checkSubmitOptions } from './options.js';
import type { Executor, ExecutorOptions, ShutdownOptions, SubmitOptions } from './options.js';
import { PoolWorker, WorkItem } from './pool-worker.js';
import type { BrokenDetails, PoolHooks, SpawnedWorker, WorkerEvents } from './pool-worker.js';
import { WorkQueue } from './queue.js';
import { warnIfSharedCopied } from './shared-copy.js';

export type { MapOptions } from './map.js';
export type { Executor, ExecutorOptions, ShutdownOptions, SubmitOptions } from './options.js';
export type { BrokenDetails, SpawnedWorker, WorkerChannel, WorkerEvents } from './pool-worker.js';

const internals = futureInternals();

export abstract class PoolExecutor implements Executor {
  readonly maxWorkers: number;
  readonly #kind: 'thread' | 'process';
  /** Tasks a worker may be sent ahead of finishing them. */
  readonly pipelineDepth: number;
  readonly #abortGraceMs: number;
  readonly #idleTimeoutMs: number | undefined;
  readonly #maxTasksPerChild: number | undefined;
  readonly #initializer: InitMessage['initializer'];
  readonly #onWorkerExit: 'break' | 'replace';
  readonly #idleSpinUs: number;

  /** Submitted, not yet sent to a worker; entries cancelled meanwhile stay in it, marked dropped. */
  readonly #queue = new WorkQueue<WorkItem>();
  #queuedCount = 0;
  #flushScheduled = false;
  readonly #workers = new Set<PoolWorker>();
  #nextWorkerId = 1;
  #nextItemId = 1;
  readonly #taskIds = new Map<string, number>();

  #shutdown = false;
  #closing: Promise<void> | undefined;
  #broken: BrokenExecutor | undefined;
  #drainWaiters: Array<() => void> = [];

  readonly #counts = new PoolCounters();
  readonly #hooks: PoolHooks;
  /** Shared memory sent where it is copied is warned about once per pool; after that, nobody looks. */
  #warnedSharedCopy = false;

  protected constructor(kind: 'thread' | 'process', options: ExecutorOptions, maxTasksPerChild?: unknown) {
    const checked = checkExecutorOptions(options, maxTasksPerChild);
    this.#kind = kind;
    this.maxWorkers = checked.maxWorkers;
    this.pipelineDepth = checked.pipelineDepth;
    this.#abortGraceMs = checked.abortGraceMs;
    this.#idleTimeoutMs = checked.idleTimeoutMs;
    this.#maxTasksPerChild = checked.maxTasksPerChild;
    this.#initializer = checked.initializer;
    this.#onWorkerExit = checked.onWorkerExit;
    this.#idleSpinUs = checked.idleSpinUs;
    this.#hooks = {
      tryCancel: (item) => this.#tryCancel(item),
      isRunning: (item) => this.#isRunning(item),
      abort: (item, graceMs) => this.#abort(item, graceMs),
    };
  }

  /** Starts one worker: the subclass creates it and wires its events. */
  protected abstract spawnWorker(workerId: number, events: WorkerEvents): SpawnedWorker;
  /** The subclass's own error for a broken pool (BrokenThreadPool, BrokenProcessPool). */
  protected abstract brokenError(message: string, details: BrokenDetails): BrokenExecutor;
  /** How messages name one of this pool's workers: 'worker thread', 'child process'. */
  protected abstract readonly workerNoun: string;
  /** stats().lock: how the workers' tasks share an interpreter lock, in words. */
  protected abstract lockText(): string;
  /** What kill() does to one, for messages: 'terminated', 'killed'. */
  protected abstract readonly killVerb: string;

  // --- submitting --------------------------------------------------------------------------------

  /**
   * Schedules task(...args) on a worker. Arguments are structured-cloned (threads) or serialized
   * (processes); wrap one in transfer() to move its buffers to a thread instead.
   */
  submit<N extends Builtin>(task: N, ...args: Args<N>): Future<Result<N>>;
  submit<A extends unknown[], R>(task: TypedTask<A, R>, ...args: A): Future<R>;
  submit<T = unknown>(task: UntypedModuleTask, ...args: unknown[]): Future<T>;
  submit(task: Task, ...args: unknown[]): Future<unknown> {
    this.#checkOpen();
    const normalized = normalizeTask(task, kernelNames());
    checkSendableArgs(args);
    const transfer = unwrapTransfers(args);
    return this.#enqueue(normalized, args, transfer, 0).future;
  }

  /**
   * submit() with options, in one call: `submitWith({ signal }, task, ...args)`. Aborting `signal`
   * does what Future.abort() does: a task that has not started is cancelled, a running one is
   * asked to stop and, after abortGraceMs (default: the pool's), its worker is ended. A signal
   * already aborted gives a cancelled future.
   */
  submitWith<N extends Builtin>(options: SubmitOptions, task: N, ...args: Args<N>): Future<Result<N>>;
  submitWith<A extends unknown[], R>(options: SubmitOptions, task: TypedTask<A, R>, ...args: A): Future<R>;
  submitWith<T = unknown>(options: SubmitOptions, task: UntypedModuleTask, ...args: unknown[]): Future<T>;
  submitWith(options: SubmitOptions, task: Task, ...args: unknown[]): Future<unknown> {
    const { signal, abortGraceMs } = checkSubmitOptions(options);
    const future = (this.submit as (task: Task, ...args: unknown[]) => Future<unknown>)(task, ...args);
    if (signal !== undefined) abortOnSignal(future, signal, abortGraceMs);
    return future;
  }

  /**
   * task(item) for every item, as an async iterable of the results in input order (see MapOptions:
   * chunksize, timeoutMs, spread, buffersize). Without buffersize every item is submitted at once,
   * as Python does; stopping the iteration early cancels what has not started.
   */
  map<N extends Builtin>(task: N, iterable: MapItems, options?: MapOptions): AsyncIterableIterator<Result<N>>;
  map<A extends unknown[], R>(
    task: TypedTask<A, R>,
    iterable: MapItems,
    options?: MapOptions,
  ): AsyncIterableIterator<R>;
  map<T = unknown>(task: UntypedModuleTask, iterable: MapItems, options?: MapOptions): AsyncIterableIterator<T>;
  map(task: Task, iterable: MapItems, options: MapOptions = {}): AsyncIterableIterator<unknown> {
    this.#checkOpen();
    const normalized = normalizeTask(task, kernelNames());
    return mapOverSubmit<unknown>(
      (args, flags) => this.submitNormalized(normalized, args, undefined, flags),
      iterable,
      options,
    );
  }

  /** submit() for arguments already checked: what map() is built on. Throws if the pool is closed or broken. */
  protected submitNormalized(
    task: NormalizedTask,
    args: unknown[],
    transfer: TransferListItem[] | undefined,
    flags: number,
  ): Future<unknown> {
    this.#checkOpen();
    return this.#enqueue(task, args, transfer, flags).future;
  }

  #checkOpen(): void {
    if (this.#broken !== undefined) {
      throw this.brokenError(`the pool is broken and takes no new tasks: ${this.#broken.message}`, {
        exitCode: null,
        signal: null,
        threadId: null,
        pid: null,
        cause: this.#broken,
      });
    }
    if (this.#shutdown) throw new ExecutorShutdownError();
  }

  #enqueue(task: NormalizedTask, args: unknown[], transfer: TransferListItem[] | undefined, flags: number): WorkItem {
    if (!this.#warnedSharedCopy) this.#warnedSharedCopy = warnIfSharedCopied(args, this.#kind, this.workerNoun);
    let taskId = this.#taskIds.get(task.key);
    if (taskId === undefined) {
      taskId = this.#taskIds.size + 1;
      this.#taskIds.set(task.key, taskId);
    }
    const item = new WorkItem(this.#hooks, this.#nextItemId++, task, taskId, args, transfer, flags, nowEpochMs());
    this.#queue.push(item);
    this.#queuedCount++;
    this.#counts.tasksSubmitted++;
    this.#scheduleFlush();
    return item;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // The first task of a burst leaves at once (latency); the rest of the burst of submit() calls
    // follows in one batch once the current synchronous code is done (throughput).
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
    this.#flush();
  }

  // --- dispatch ----------------------------------------------------------------------------------

  #takeQueued(): WorkItem | undefined {
    for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
      if (!item.dropped) {
        this.#queuedCount--;
        return item;
      }
    }
    return undefined;
  }

  #flush(): void {
    if (this.#broken !== undefined || this.#queuedCount === 0) return;
    // Start workers: one per queued task that no idle worker can take, up to maxWorkers.
    let idle = 0;
    for (const w of this.#workers) if (w.inflight.size === 0 && w.capacity(this.#maxTasksPerChild) > 0) idle++;
    while (this.#workers.size < this.maxWorkers && idle < this.#queuedCount) {
      if (!this.#startWorker()) return;
      idle++;
    }
    const eligible = [...this.#workers].filter((w) => w.capacity(this.#maxTasksPerChild) > 0);
    eligible.sort((a, b) => a.inflight.size - b.inflight.size);
    for (let i = 0; i < eligible.length && this.#queuedCount > 0; i++) {
      const w = eligible[i]!;
      const share = Math.ceil(this.#queuedCount / (eligible.length - i));
      const n = Math.min(share, w.capacity(this.#maxTasksPerChild));
      const batch: WorkItem[] = [];
      for (let k = 0; k < n; k++) {
        const item = this.#takeQueued();
        if (item === undefined) break;
        batch.push(item);
      }
      if (batch.length > 0) this.#send(w, batch);
    }
  }

  #send(w: PoolWorker, batch: WorkItem[]): void {
    const { message, transfer } = w.assign(batch);
    w.setBusy();
    try {
      w.channel.send(message, transfer);
    } catch (error) {
      w.unassign(batch, message);
      if (batch.length > 1) {
        // Find the task(s) whose arguments cannot be sent; the others go on.
        for (const item of batch) this.#send(w, [item]);
      } else {
        const item = batch[0]!;
        this.#counts.tasksFailed++;
        internals.reject(
          item.future,
          new TypeError(
            `the arguments of task ${item.task.label} cannot be sent to a ${this.workerNoun}: ` +
              `${(error as Error)?.message ?? String(error)}`,
            { cause: error },
          ),
        );
      }
      this.#afterProgress(w);
    }
  }

  // --- workers -----------------------------------------------------------------------------------

  #startWorker(): PoolWorker | undefined {
    const workerId = this.#nextWorkerId++;
    // The worker's events may only arrive once it exists (they are emitted asynchronously).
    const started: { worker?: PoolWorker } = {};
    const events: WorkerEvents = {
      message: (message) => this.#onMessage(started.worker!, message),
      error: (error) => {
        if (started.worker !== undefined) started.worker.lastError = error;
      },
      exit: (exitCode, signal) => this.#onExit(started.worker!, exitCode, signal),
    };
    let spawned: SpawnedWorker;
    try {
      spawned = this.spawnWorker(workerId, events);
    } catch (error) {
      this.#breakPool(
        this.brokenError(`could not start a worker: ${(error as Error)?.message ?? String(error)}`, {
          exitCode: null,
          signal: null,
          threadId: null,
          pid: null,
          cause: error,
        }),
      );
      return undefined;
    }
    const w = new PoolWorker(workerId, spawned, this.pipelineDepth);
    started.worker = w;
    this.#workers.add(w);
    this.#counts.workersStarted++;
    const init: InitMessage = {
      type: 'init',
      kind: this.#kind,
      workerId,
      lock: spawned.lock,
      control: spawned.controlInit,
      initializer: this.#initializer,
      serialization: spawned.serialization,
      idleSpinUs: this.#idleSpinUs,
    };
    spawned.channel.send(init);
    return w;
  }

  /** Starts every worker now (they start lazily otherwise) and waits until each has run its initializer. */
  async start(): Promise<void> {
    this.#checkOpen();
    while (this.#workers.size < this.maxWorkers) if (this.#startWorker() === undefined) break;
    await Promise.all([...this.#workers].map((w) => w.whenReady()));
    if (this.#broken !== undefined) throw this.#broken;
  }

  #onMessage(w: PoolWorker, message: FromWorker): void {
    switch (message.type) {
      case 'done':
        w.complete(message.results, this.#counts);
        this.#afterProgress(w);
        break;
      case 'ready':
        if (w.state === 'starting') w.state = 'ready';
        w.spawned.onReady?.();
        w.settleReady();
        this.#afterProgress(w);
        break;
      case 'init-failed': {
        const cause = rebuildThrown(message.error);
        const error = this.brokenError(
          `a worker initializer failed, the pool is not usable anymore: ${cause instanceof Error ? cause.message : String(cause)}`,
          { exitCode: null, signal: null, threadId: w.channel.threadId, pid: w.channel.pid, cause },
        );
        w.settleReady(error);
        this.#breakPool(error);
        break;
      }
      case 'fatal':
        w.lastError = rebuildThrown(message.error);
        break;
    }
  }

  /** After a worker finished tasks: retire it, let it idle, or give it more. */
  #afterProgress(w: PoolWorker): void {
    if (w.inflight.size === 0 && w.state !== 'dead') {
      if (this.#maxTasksPerChild !== undefined && w.tasksAssigned >= this.#maxTasksPerChild) w.retiring = true;
      if (w.retiring) {
        w.close();
      } else if (this.#queuedCount === 0) {
        w.setIdle();
        if (this.#idleTimeoutMs !== undefined && w.idleTimer === undefined && w.state === 'ready') {
          w.idleTimer = setTimeout(() => {
            w.idleTimer = undefined;
            if (w.inflight.size === 0 && w.state === 'ready') w.close();
          }, this.#idleTimeoutMs);
          w.idleTimer.unref();
        }
      }
    }
    if (this.#queuedCount > 0) this.#flush();
    this.#checkDrained();
  }

  #onExit(w: PoolWorker, exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (w.state === 'dead') return;
    // onWorkerExit 'replace' replaces a worker that got as far as running tasks, not one that died starting.
    const replaceable = w.state !== 'starting' || [...w.inflight.values()].some((item) => w.isRunning(item));
    w.state = 'dead';
    if (w.idleTimer !== undefined) clearTimeout(w.idleTimer);
    this.#workers.delete(w);
    this.#counts.workersExited++;
    let crash: BrokenExecutor | undefined;
    if (!w.exitExpected && this.#broken === undefined) {
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
      const cause = w.lastError;
      crash = this.brokenError(
        `A ${this.workerNoun} of the pool terminated abruptly (it ${how}) while the future was running or pending` +
          (cause instanceof Error ? `: ${cause.message}` : ''),
        { exitCode, signal, threadId: w.channel.threadId, pid: w.channel.pid, cause },
      );
      if (this.#onWorkerExit === 'break' || !replaceable) {
        this.#cleanUp(w);
        w.settleReady(crash);
        this.#breakPool(crash, w);
        return;
      }
    }
    // Tasks it was sent but never started go back to the front of the queue; with 'replace', the one
    // it was running fails with the crash (read from its control cells, before they are released).
    if (w.inflight.size > 0) this.#requeue(w, crash);
    this.#cleanUp(w);
    w.settleReady(this.#broken);
    if (this.#queuedCount > 0) this.#flush();
    this.#checkDrained();
  }

  #cleanUp(w: PoolWorker): void {
    try {
      w.spawned.cleanup?.();
    } catch {
      // best effort: a busy interpreter of a thread that is still stuck in native code stays
    }
    w.markExited();
  }

  /** Puts a dead worker's unstarted tasks back at the front of the queue; the started ones fail (with `crash` if given). */
  #requeue(w: PoolWorker, crash?: BrokenExecutor): void {
    const back: WorkItem[] = [];
    for (const item of [...w.inflight.values()]) {
      const unstarted = w.claimBack(item);
      w.detach(item);
      if (item.future.done()) continue;
      if (unstarted) {
        back.push(item);
      } else {
        this.#counts.tasksFailed++;
        internals.reject(
          item.future,
          crash ?? new AbortError('the task was stopped: its worker was terminated to abort another task'),
        );
      }
    }
    this.#queue.pushFront(back);
    this.#queuedCount += back.length;
  }

  /** Fails every outstanding future with `error` and ends every worker (`dead`: one that already exited). */
  #breakPool(error: BrokenExecutor, dead?: PoolWorker, how: 'kill' | 'terminate' = 'kill'): void {
    if (this.#broken !== undefined) return;
    this.#broken = error;
    const workers = dead === undefined ? [...this.#workers] : [dead, ...this.#workers];
    for (const w of workers) {
      for (const item of w.inflight.values()) {
        item.worker = undefined;
        if (!item.future.done()) this.#counts.tasksFailed++;
        internals.reject(item.future, error);
      }
      w.inflight.clear();
      w.kill(how);
    }
    for (let item = this.#takeQueued(); item !== undefined; item = this.#takeQueued()) {
      this.#counts.tasksFailed++;
      internals.reject(item.future, error);
    }
    this.#checkDrained();
  }

  // --- cancel and abort --------------------------------------------------------------------------

  #tryCancel(item: WorkItem): boolean {
    if (item.worker === undefined) {
      if (item.dropped) return true;
      // Still in our queue (or already failed): drop it there.
      if (item.future.done()) return false;
      item.dropped = true;
      this.#queuedCount--;
      this.#counts.tasksCancelled++;
      this.#checkDrained();
      return true;
    }
    if (!item.worker.claimBack(item)) return false;
    // The worker will skip it and report it; the slot is freed then.
    this.#counts.tasksCancelled++;
    return true;
  }

  #isRunning(item: WorkItem): boolean {
    const w = item.worker;
    if (w === undefined || item.future.done()) return false;
    return w.isRunning(item);
  }

  async #abort(item: WorkItem, graceMs: number | undefined): Promise<AbortOutcome> {
    const future = item.future;
    if (future.done()) return future.cancelled() ? 'cancelled' : 'finished';
    if (future.cancel()) return 'cancelled';
    const w = item.worker;
    if (w === undefined) return future.cancelled() ? 'cancelled' : 'finished';
    // Cooperative first: the task's abort flag and signal.
    w.requestAbort(item);
    const grace = graceMs ?? this.#abortGraceMs;
    if (await settlesWithin(future, grace)) {
      if (future.cancelled()) return 'cancelled';
      const error = await future.exception().catch(() => undefined);
      if (error !== undefined) this.#counts.tasksAborted++;
      return error === undefined ? 'finished' : 'cooperative';
    }
    // Forceful: the task ignored its flag. End the worker; the others take over its queue.
    w.detach(item);
    this.#counts.tasksAborted++;
    this.#counts.tasksFailed++;
    internals.reject(
      future,
      new AbortError(
        `the task did not stop within ${grace} ms of abort(), so its ${this.workerNoun} was ${this.killVerb}`,
      ),
    );
    w.kill();
    // Out of the pool at once: a thread stuck in native code may never exit, and must not hold a place.
    this.#workers.delete(w);
    this.#requeue(w);
    if (this.#queuedCount > 0) this.#flush();
    this.#checkDrained();
    return 'forced';
  }

  // --- shutdown ----------------------------------------------------------------------------------

  /**
   * No new tasks from now on. wait (default true): resolves once every submitted task is done and
   * the workers have exited. cancelFutures: cancel what has not started. Never hangs on a broken
   * pool; waits for running tasks otherwise (use Future.abort() to stop those).
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait, cancelFutures } = checkShutdownOptions(options);
    this.#shutdown = true;
    if (cancelFutures) {
      for (const item of this.#queue) item.future.cancel();
      for (const w of this.#workers) for (const item of [...w.inflight.values()]) item.future.cancel();
    }
    this.#closing ??= this.#drained().then(() => this.#closeAll());
    if (wait) await this.#closing;
    else this.#closing.catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      this.#drainWaiters.push(resolve);
      this.#checkDrained();
    });
  }

  #checkDrained(): void {
    if (this.#drainWaiters.length === 0) return;
    if (this.#broken === undefined) {
      if (this.#queuedCount > 0) return;
      for (const w of this.#workers) if (w.inflight.size > 0) return;
    }
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  async #closeAll(): Promise<void> {
    const exits: Promise<void>[] = [];
    for (const w of [...this.#workers]) {
      if (w.killed && !w.channel.killIsReliable) continue; // may be stuck in native code: do not wait for it
      w.close();
      exits.push(w.exited);
    }
    await Promise.all(exits);
    this.onClosed();
  }

  /**
   * Python 3.14's terminate_workers()/kill_workers(): shut down, cancel what has not started, and
   * end every worker now; what was running fails with the pool's broken error, naming `caller`.
   */
  protected endWorkersNow(how: 'kill' | 'terminate', signal: NodeJS.Signals, caller: string): void {
    void this.shutdown({ wait: false, cancelFutures: true });
    const error = this.brokenError(`${caller} ended the pool's workers while the future was running`, {
      exitCode: null,
      signal,
      threadId: null,
      pid: null,
    });
    this.#breakPool(error, undefined, how);
    // Already broken (or called again): end what is left, e.g. killWorkers() after terminateWorkers().
    for (const w of [...this.#workers]) w.kill(how);
  }

  /** Called once after shutdown, when every worker that could exit has. */
  protected onClosed(): void {}

  /** Kills every worker that has tasks in flight, now (synchronous: safe in a process 'exit' listener). */
  protected killBusyWorkers(): void {
    for (const w of this.#workers) if (w.inflight.size > 0) w.channel.kill();
  }

  // --- stats -------------------------------------------------------------------------------------

  /** Whether the pool is broken (a worker died or an initializer failed). */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  stats(): ExecutorStats {
    const now = performance.now();
    return this.#counts.snapshot(
      { lock: this.lockText(), kind: this.#kind, maxWorkers: this.maxWorkers, tasksQueued: this.#queuedCount },
      [...this.#workers].map((w) => w.stats(now)),
    );
  }
}
