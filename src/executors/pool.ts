// What ThreadPoolExecutor and ProcessPoolExecutor share: the queue, dispatch in batches, futures,
// cancellation, abort, failure handling, shutdown, map() and stats. The subclasses only start
// workers (worker_threads or child_process.fork) and name their errors.
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

import os from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import { AbortError, BrokenExecutor, ExecutorShutdownError, rebuildThrown } from './errors.js';
import { checkTimeout, Future, futureInternals, type AbortOutcome, type FutureOwner } from './future.js';
import type { ControlCells } from './control.js';
import {
  CONTROL_CELLS_PER_SLOT,
  nowEpochMs,
  RESULT_FIELDS,
  SLOT_CANCELLED,
  SLOT_FREE,
  SLOT_PENDING,
  SLOT_RUNNING,
  STATUS_OK,
  STATUS_SKIPPED,
  STATUS_VOID,
  type FromWorker,
  type InitMessage,
  type LockSpec,
  type ToWorker,
} from './protocol.js';
import { DurationReservoir, type ExecutorStats, type WorkerStats } from './stats.js';
import { normalizeTask, type NormalizedTask, type Task } from './task.js';
import { unwrapTransfers } from './transfer.js';
import { kernelNames } from './builtin-kernels.js';
import { checkBoolean, checkPositiveInteger } from './checks.js';
import { mapOverSubmit, type MapOptions } from './map.js';

export type { MapOptions } from './map.js';

export interface ExecutorOptions {
  /** Most workers at once; default os.availableParallelism(). A positive integer. */
  maxWorkers?: number;
  /** A task run once in every worker before its first task; if it throws, the pool breaks. */
  initializer?: Task;
  initializerArgs?: unknown[];
  /** An idle worker exits after this long (and is started again when needed); default: never. */
  idleTimeoutMs?: number;
  /** Future.abort(): how long a running task has to stop by itself before its worker is killed; default 1000. */
  abortGraceMs?: number;
  /** Tasks a worker may be sent ahead of finishing them (1..1024, default 64); 1 sends one task per message. */
  pipelineDepth?: number;
}

export interface ShutdownOptions {
  /** Wait for every submitted task and for the workers to exit; default true. */
  wait?: boolean;
  /** Cancel the tasks that have not started; default false. */
  cancelFutures?: boolean;
}

/** The interface both executors implement. */
export interface Executor {
  submit<T = unknown>(task: Task, ...args: unknown[]): Future<T>;
  map<T = unknown>(
    task: Task,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    options?: MapOptions,
  ): AsyncIterableIterator<T>;
  shutdown(options?: ShutdownOptions): Promise<void>;
  stats(): ExecutorStats;
  [Symbol.asyncDispose](): Promise<void>;
}

/** How a subclass talks to one worker. */
export interface WorkerChannel {
  readonly threadId: number | null;
  readonly pid: number | null;
  /** Throws if the message cannot be serialized (nothing is sent then). */
  send(message: ToWorker, transfer?: TransferListItem[]): void;
  /** Ends the worker now, busy or not (terminate / SIGKILL). */
  kill(): void;
  /** Whether kill() always ends it promptly (SIGKILL does; terminate() waits for native code to return). */
  readonly killIsReliable: boolean;
  /** Ends an idle worker. */
  close(): void;
  ref(): void;
  unref(): void;
}

export interface WorkerEvents {
  message(message: FromWorker): void;
  error(error: unknown): void;
  exit(exitCode: number | null, signal: NodeJS.Signals | null): void;
}

export interface SpawnedWorker {
  channel: WorkerChannel;
  control: ControlCells;
  controlInit: InitMessage['control'];
  lock: LockSpec;
  /** Process workers: the channel's encoding, told to the worker (it checks 'json' results before sending). */
  serialization?: 'advanced' | 'json';
  /** Called once the worker said it is ready (the process pool unlinks its segment's name then). */
  onReady?(): void;
  /** Called once after the worker exited. */
  cleanup?(): void;
}

export interface BrokenDetails {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  threadId: number | null;
  pid: number | null;
  cause?: unknown;
}

const DEFAULT_PIPELINE_DEPTH = 64;
const DEFAULT_ABORT_GRACE_MS = 1000;

const internals = futureInternals();
const NO_ARGS: unknown[] = [];

class WorkItem implements FutureOwner {
  readonly future: Future<unknown>;
  worker: PoolWorker | undefined;
  slot = -1;
  /** Cancelled while still in the executor's queue: skipped when dispatched. */
  dropped = false;

  constructor(
    readonly pool: PoolHooks,
    readonly id: number,
    readonly task: NormalizedTask,
    readonly taskId: number,
    /** Kept until the task is done (a task whose worker is replaced before it starts is sent again), then dropped. */
    public args: unknown[],
    public transfer: TransferListItem[] | undefined,
    readonly flags: number,
    readonly submittedAt: number,
  ) {
    this.future = new Future(this);
  }
  tryCancel(): boolean {
    return this.pool.tryCancel(this);
  }
  isRunning(): boolean {
    return this.pool.isRunning(this);
  }
  abort(_future: Future<unknown>, graceMs: number | undefined): Promise<AbortOutcome> {
    return this.pool.abort(this, graceMs);
  }
}

interface PoolHooks {
  tryCancel(item: WorkItem): boolean;
  isRunning(item: WorkItem): boolean;
  abort(item: WorkItem, graceMs: number | undefined): Promise<AbortOutcome>;
}

class PoolWorker {
  state: 'starting' | 'ready' | 'closing' | 'dead' = 'starting';
  readonly inflight = new Map<number, WorkItem>();
  readonly freeSlots: number[];
  readonly knownTasks = new Set<number>();
  tasksAssigned = 0;
  tasksCompleted = 0;
  busyMs = 0;
  readonly startedAt = performance.now();
  /** Will take no more tasks (maxTasksPerChild reached); closes once its tasks are done. */
  retiring = false;
  /** Its exit is our doing (close, kill), not a crash. */
  exitExpected = false;
  killed = false;
  referenced = true;
  idleTimer: NodeJS.Timeout | undefined;
  lastError: unknown;
  readonly exited: Promise<void>;
  markExited!: () => void;
  readyWaiters: Array<(error?: unknown) => void> = [];

  constructor(
    readonly workerId: number,
    readonly spawned: SpawnedWorker,
    depth: number,
  ) {
    this.freeSlots = Array.from({ length: depth }, (_, i) => depth - 1 - i);
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }
  get channel(): WorkerChannel {
    return this.spawned.channel;
  }
  get control(): ControlCells {
    return this.spawned.control;
  }
}

export abstract class PoolExecutor implements Executor {
  readonly maxWorkers: number;
  readonly #kind: 'thread' | 'process';
  /** Tasks a worker may be sent ahead of finishing them. */
  readonly pipelineDepth: number;
  readonly #abortGraceMs: number;
  readonly #idleTimeoutMs: number | undefined;
  readonly #maxTasksPerWorker: number | undefined;
  readonly #initializer: InitMessage['initializer'];

  #queue: WorkItem[] = [];
  #queueHead = 0;
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

  #submitted = 0;
  #succeeded = 0;
  #ranToEnd = 0;
  #failed = 0;
  #cancelled = 0;
  #aborted = 0;
  #workersStarted = 0;
  #workersExited = 0;
  readonly #queueWait = new DurationReservoir();
  readonly #runTime = new DurationReservoir();
  readonly #hooks: PoolHooks;

  protected constructor(kind: 'thread' | 'process', options: ExecutorOptions & { maxTasksPerWorker?: number }) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    this.#kind = kind;
    this.maxWorkers =
      options.maxWorkers === undefined
        ? os.availableParallelism()
        : checkPositiveInteger(options.maxWorkers, 'maxWorkers', 4096);
    this.pipelineDepth =
      options.pipelineDepth === undefined
        ? DEFAULT_PIPELINE_DEPTH
        : checkPositiveInteger(options.pipelineDepth, 'pipelineDepth', 1024);
    // Infinity (or beyond a timer's range): abort() never kills a worker, it waits for the task.
    this.#abortGraceMs =
      options.abortGraceMs === undefined
        ? DEFAULT_ABORT_GRACE_MS
        : (checkTimeout(options.abortGraceMs, 'abortGraceMs') ?? Infinity);
    this.#idleTimeoutMs = checkTimeout(options.idleTimeoutMs, 'idleTimeoutMs');
    this.#maxTasksPerWorker =
      options.maxTasksPerWorker === undefined
        ? undefined
        : checkPositiveInteger(options.maxTasksPerWorker, 'maxTasksPerChild');
    if (options.initializer !== undefined) {
      const args = options.initializerArgs ?? [];
      if (!Array.isArray(args)) throw new TypeError('initializerArgs must be an array');
      let task: NormalizedTask;
      try {
        task = normalizeTask(options.initializer, kernelNames());
      } catch (error) {
        if (error instanceof Error) error.message = error.message.replace(/^task/, 'initializer');
        throw error;
      }
      this.#initializer = { task: task.descriptor, args };
    } else if (options.initializerArgs !== undefined) {
      throw new TypeError('initializerArgs needs an initializer');
    }
    this.#hooks = {
      tryCancel: (item) => this.#tryCancel(item),
      isRunning: (item) => this.#isRunning(item),
      abort: (item, graceMs) => this.#abort(item, graceMs),
    };
  }

  /** Starts one worker: the subclass creates it and wires its events. */
  protected abstract spawnWorker(workerId: number, events: WorkerEvents): SpawnedWorker;
  protected abstract brokenError(message: string, details: BrokenDetails): BrokenExecutor;

  // --- submitting --------------------------------------------------------------------------------

  /**
   * Schedules task(...args) on a worker. Arguments are structured-cloned (threads) or serialized
   * (processes); wrap one in transfer() to move its buffers to a thread instead.
   */
  submit<T = unknown>(task: Task, ...args: unknown[]): Future<T> {
    this.#checkOpen();
    const normalized = normalizeTask(task, kernelNames());
    for (let i = 0; i < args.length; i++) {
      const type = typeof args[i];
      if (type === 'function' || type === 'symbol') {
        throw new TypeError(
          `args[${i}]: a ${type} cannot be sent to a worker (functions are never sent across: name a task instead)`,
        );
      }
    }
    const transfer = unwrapTransfers(args);
    return this.#enqueue(normalized, args, transfer, 0).future as Future<T>;
  }

  /**
   * task(item) for every item, as an async iterable of the results in input order (see MapOptions:
   * chunksize, timeoutMs, spread, buffersize). Without buffersize every item is submitted at once,
   * as Python does; stopping the iteration early cancels what has not started.
   */
  map<T = unknown>(
    task: Task,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    options: MapOptions = {},
  ): AsyncIterableIterator<T> {
    this.#checkOpen();
    const normalized = normalizeTask(task, kernelNames());
    return mapOverSubmit<T>(
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
    let taskId = this.#taskIds.get(task.key);
    if (taskId === undefined) {
      taskId = this.#taskIds.size + 1;
      this.#taskIds.set(task.key, taskId);
    }
    const item = new WorkItem(this.#hooks, this.#nextItemId++, task, taskId, args, transfer, flags, nowEpochMs());
    this.#queue.push(item);
    this.#queuedCount++;
    this.#submitted++;
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

  #capacity(w: PoolWorker): number {
    if (w.state === 'closing' || w.state === 'dead' || w.retiring) return 0;
    let room = w.freeSlots.length;
    if (this.#maxTasksPerWorker !== undefined) room = Math.min(room, this.#maxTasksPerWorker - w.tasksAssigned);
    return room;
  }

  #takeQueued(): WorkItem | undefined {
    while (this.#queueHead < this.#queue.length) {
      const item = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined as never;
      // A queue that never runs dry must not keep growing at the front.
      if (this.#queueHead >= 4096 && this.#queueHead * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#queueHead);
        this.#queueHead = 0;
      }
      if (!item.dropped) {
        this.#queuedCount--;
        return item;
      }
    }
    this.#queue = [];
    this.#queueHead = 0;
    return undefined;
  }

  #flush(): void {
    if (this.#broken !== undefined || this.#queuedCount === 0) return;
    // Start workers: one per queued task that no idle worker can take, up to maxWorkers.
    let idle = 0;
    for (const w of this.#workers) if (w.inflight.size === 0 && this.#capacity(w) > 0) idle++;
    while (this.#workers.size < this.maxWorkers && idle < this.#queuedCount) {
      if (!this.#startWorker()) return;
      idle++;
    }
    const eligible = [...this.#workers].filter((w) => this.#capacity(w) > 0);
    eligible.sort((a, b) => a.inflight.size - b.inflight.size);
    for (let i = 0; i < eligible.length && this.#queuedCount > 0; i++) {
      const w = eligible[i]!;
      const share = Math.ceil(this.#queuedCount / (eligible.length - i));
      const n = Math.min(share, this.#capacity(w));
      const batch: WorkItem[] = [];
      for (let k = 0; k < n; k++) {
        const item = this.#takeQueued();
        if (item === undefined) break;
        batch.push(item);
      }
      if (batch.length > 0) this.#send(w, batch);
    }
  }

  #assign(w: PoolWorker, item: WorkItem): void {
    const slot = w.freeSlots.pop()!;
    item.slot = slot;
    item.worker = w;
    w.control.store(slot * CONTROL_CELLS_PER_SLOT + 1, 0);
    w.control.store(slot * CONTROL_CELLS_PER_SLOT, SLOT_PENDING);
    w.inflight.set(item.id, item);
    w.tasksAssigned++;
  }

  /** Frees the item's slot; `undo` also takes back the assignment (the batch was never sent). */
  #unassign(w: PoolWorker, item: WorkItem, undo: boolean): void {
    w.control.store(item.slot * CONTROL_CELLS_PER_SLOT, SLOT_FREE);
    w.freeSlots.push(item.slot);
    w.inflight.delete(item.id);
    if (undo) w.tasksAssigned--;
    item.worker = undefined;
    item.slot = -1;
  }

  #send(w: PoolWorker, batch: WorkItem[]): void {
    const items: unknown[] = [];
    let defs: Array<[number, NormalizedTask['descriptor']]> | undefined;
    let transfer: TransferListItem[] | undefined;
    for (const item of batch) {
      this.#assign(w, item);
      if (!w.knownTasks.has(item.taskId)) {
        w.knownTasks.add(item.taskId);
        (defs ??= []).push([item.taskId, item.task.descriptor]);
      }
      items.push(item.id, item.slot, item.taskId, item.flags, item.args);
      if (item.transfer !== undefined) (transfer ??= []).push(...item.transfer);
    }
    this.#setBusy(w);
    try {
      w.channel.send({ type: 'run', defs, items }, transfer);
    } catch (error) {
      for (const item of batch) this.#unassign(w, item, true);
      if (defs !== undefined) for (const [taskId] of defs) w.knownTasks.delete(taskId);
      if (batch.length > 1) {
        // Find the task(s) whose arguments cannot be sent; the others go on.
        for (const item of batch) this.#send(w, [item]);
      } else {
        const item = batch[0]!;
        this.#failed++;
        internals.reject(
          item.future,
          new TypeError(
            `the arguments of task ${item.task.label} cannot be sent to a ${this.#kind === 'thread' ? 'worker thread' : 'child process'}: ` +
              `${(error as Error)?.message ?? String(error)}`,
            { cause: error },
          ),
        );
      }
      this.#afterProgress(w);
    }
  }

  #setBusy(w: PoolWorker): void {
    if (w.idleTimer !== undefined) {
      clearTimeout(w.idleTimer);
      w.idleTimer = undefined;
    }
    if (!w.referenced) {
      w.referenced = true;
      w.channel.ref();
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
    this.#workersStarted++;
    const init: InitMessage = {
      type: 'init',
      kind: this.#kind,
      workerId,
      lock: spawned.lock,
      control: spawned.controlInit,
      initializer: this.#initializer,
      serialization: spawned.serialization,
    };
    spawned.channel.send(init);
    return w;
  }

  /** Starts every worker now (they start lazily otherwise) and waits until each has run its initializer. */
  async start(): Promise<void> {
    this.#checkOpen();
    while (this.#workers.size < this.maxWorkers) if (this.#startWorker() === undefined) break;
    const waits = [...this.#workers].map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          if (w.state !== 'starting') return resolve();
          w.readyWaiters.push((error) => (error === undefined ? resolve() : reject(error)));
        }),
    );
    await Promise.all(waits);
    if (this.#broken !== undefined) throw this.#broken;
  }

  #onMessage(w: PoolWorker, message: FromWorker): void {
    switch (message.type) {
      case 'done':
        this.#onResults(w, message.results);
        break;
      case 'ready':
        if (w.state === 'starting') w.state = 'ready';
        w.spawned.onReady?.();
        for (const waiter of w.readyWaiters.splice(0)) waiter();
        this.#afterProgress(w);
        break;
      case 'init-failed': {
        const cause = rebuildThrown(message.error);
        const error = this.brokenError(
          `a worker initializer failed, the pool is not usable anymore: ${cause instanceof Error ? cause.message : String(cause)}`,
          { exitCode: null, signal: null, threadId: w.channel.threadId, pid: w.channel.pid, cause },
        );
        for (const waiter of w.readyWaiters.splice(0)) waiter(error);
        this.#breakPool(error);
        break;
      }
      case 'fatal':
        w.lastError = rebuildThrown(message.error);
        break;
    }
  }

  #onResults(w: PoolWorker, results: unknown[]): void {
    for (let i = 0; i < results.length; i += RESULT_FIELDS) {
      const item = w.inflight.get(results[i] as number);
      if (item === undefined) continue; // aborted by force and already failed
      this.#unassign(w, item, false);
      item.args = NO_ARGS;
      item.transfer = undefined;
      const status = results[i + 1] as number;
      if (status === STATUS_SKIPPED) continue; // cancelled before it started; counted at cancel()
      const startedAt = results[i + 3] as number;
      const runMs = results[i + 4] as number;
      this.#queueWait.add(startedAt - item.submittedAt);
      this.#runTime.add(runMs);
      w.busyMs += runMs;
      w.tasksCompleted++;
      this.#ranToEnd++;
      if (status === STATUS_OK || status === STATUS_VOID) {
        this.#succeeded++;
        internals.resolve(item.future, status === STATUS_VOID ? undefined : results[i + 2]);
      } else {
        this.#failed++;
        internals.reject(item.future, rebuildThrown(results[i + 2] as never));
      }
    }
    this.#afterProgress(w);
  }

  /** After a worker finished tasks: retire it, let it idle, or give it more. */
  #afterProgress(w: PoolWorker): void {
    if (w.inflight.size === 0 && w.state !== 'dead') {
      if (this.#maxTasksPerWorker !== undefined && w.tasksAssigned >= this.#maxTasksPerWorker) w.retiring = true;
      if (w.retiring) {
        this.#closeWorker(w);
      } else if (this.#queuedCount === 0) {
        if (w.referenced) {
          w.referenced = false;
          w.channel.unref();
        }
        if (this.#idleTimeoutMs !== undefined && w.idleTimer === undefined && w.state === 'ready') {
          w.idleTimer = setTimeout(() => {
            w.idleTimer = undefined;
            if (w.inflight.size === 0 && w.state === 'ready') this.#closeWorker(w);
          }, this.#idleTimeoutMs);
          w.idleTimer.unref();
        }
      }
    }
    if (this.#queuedCount > 0) this.#flush();
    this.#checkDrained();
  }

  #closeWorker(w: PoolWorker): void {
    if (w.state === 'closing' || w.state === 'dead') return;
    w.state = 'closing';
    w.exitExpected = true;
    // Keep the event loop alive until its exit event: shutdown() waits for it.
    this.#setBusy(w);
    w.channel.close();
  }

  #killWorker(w: PoolWorker): void {
    if (w.state === 'dead') return;
    w.state = 'closing';
    w.exitExpected = true;
    w.killed = true;
    w.channel.kill();
    if (w.channel.killIsReliable) {
      // shutdown() waits for its exit event: an idle (unreferenced) worker must keep the event loop
      // alive until then, or a top-level `await pool.shutdown()` of a broken pool never settles.
      this.#setBusy(w);
    } else if (w.referenced) {
      // A thread inside native code may never exit: nobody waits for it, and it must not keep the process alive.
      w.referenced = false;
      w.channel.unref();
    }
  }

  #onExit(w: PoolWorker, exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (w.state === 'dead') return;
    w.state = 'dead';
    if (w.idleTimer !== undefined) clearTimeout(w.idleTimer);
    this.#workers.delete(w);
    this.#workersExited++;
    try {
      w.spawned.cleanup?.();
    } catch {
      // best effort: a busy interpreter of a thread that is still stuck in native code stays
    }
    w.markExited();
    if (!w.exitExpected && this.#broken === undefined) {
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
      const cause = w.lastError;
      const what = this.#kind === 'thread' ? 'A worker thread' : 'A child process';
      const error = this.brokenError(
        `${what} of the pool terminated abruptly (it ${how}) while the future was running or pending` +
          (cause instanceof Error ? `: ${cause.message}` : ''),
        { exitCode, signal, threadId: w.channel.threadId, pid: w.channel.pid, cause },
      );
      for (const waiter of w.readyWaiters.splice(0)) waiter(error);
      this.#breakPool(error, w);
      return;
    }
    for (const waiter of w.readyWaiters.splice(0)) waiter(this.#broken);
    // Tasks it was sent but never started go back to the front of the queue.
    if (w.inflight.size > 0) this.#requeue(w);
    if (this.#queuedCount > 0) this.#flush();
    this.#checkDrained();
  }

  /** Puts a dead worker's unstarted tasks back at the front of the queue. */
  #requeue(w: PoolWorker): void {
    const back: WorkItem[] = [];
    for (const item of w.inflight.values()) {
      const stateCell = item.slot * CONTROL_CELLS_PER_SLOT;
      const state = w.control.compareExchange(stateCell, SLOT_PENDING, SLOT_CANCELLED);
      w.inflight.delete(item.id);
      item.worker = undefined;
      item.slot = -1;
      if (item.future.done()) continue;
      if (state === SLOT_PENDING) {
        back.push(item);
      } else {
        this.#failed++;
        internals.reject(
          item.future,
          new AbortError('the task was stopped: its worker was terminated to abort another task'),
        );
      }
    }
    if (back.length > 0) {
      this.#queue = [...back, ...this.#queue.slice(this.#queueHead)];
      this.#queueHead = 0;
      this.#queuedCount += back.length;
    }
  }

  /** Fails every outstanding future with `error` and ends every worker (`dead`: one that already exited). */
  #breakPool(error: BrokenExecutor, dead?: PoolWorker): void {
    if (this.#broken !== undefined) return;
    this.#broken = error;
    const workers = dead === undefined ? [...this.#workers] : [dead, ...this.#workers];
    for (const w of workers) {
      for (const item of w.inflight.values()) {
        item.worker = undefined;
        if (!item.future.done()) this.#failed++;
        internals.reject(item.future, error);
      }
      w.inflight.clear();
      this.#killWorker(w);
    }
    for (let item = this.#takeQueued(); item !== undefined; item = this.#takeQueued()) {
      this.#failed++;
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
      this.#cancelled++;
      this.#checkDrained();
      return true;
    }
    const w = item.worker;
    const state = w.control.compareExchange(item.slot * CONTROL_CELLS_PER_SLOT, SLOT_PENDING, SLOT_CANCELLED);
    if (state !== SLOT_PENDING) return false;
    // The worker will skip it and report it; the slot is freed then.
    this.#cancelled++;
    return true;
  }

  #isRunning(item: WorkItem): boolean {
    const w = item.worker;
    if (w === undefined || item.future.done()) return false;
    return w.control.load(item.slot * CONTROL_CELLS_PER_SLOT) === SLOT_RUNNING;
  }

  async #abort(item: WorkItem, graceMs: number | undefined): Promise<AbortOutcome> {
    const future = item.future;
    if (future.done()) return future.cancelled() ? 'cancelled' : 'finished';
    if (future.cancel()) return 'cancelled';
    const w = item.worker;
    if (w === undefined) return future.cancelled() ? 'cancelled' : 'finished';
    // Cooperative: raise the task's abort flag (kernels poll it each slice) and fire its signal.
    w.control.store(item.slot * CONTROL_CELLS_PER_SLOT + 1, 1);
    try {
      w.channel.send({ type: 'abort', id: item.id });
    } catch {
      // the worker is going away anyway
    }
    const grace = graceMs ?? this.#abortGraceMs;
    const stopped = await new Promise<boolean>((resolve) => {
      if (future.done()) return resolve(true);
      const timer =
        grace === Infinity
          ? undefined
          : setTimeout(() => {
              unlisten();
              resolve(false);
            }, grace);
      const unlisten = internals.listen(future, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (stopped) {
      if (future.cancelled()) return 'cancelled';
      const error = await future.exception().catch(() => undefined);
      if (error !== undefined) this.#aborted++;
      return error === undefined ? 'finished' : 'cooperative';
    }
    // Forceful: the task ignored its flag. End the worker; the others take over its queue.
    w.inflight.delete(item.id);
    this.#aborted++;
    this.#failed++;
    internals.reject(
      future,
      new AbortError(
        `the task did not stop within ${grace} ms of abort(), so its ${this.#kind === 'thread' ? 'worker thread was terminated' : 'child process was killed'}`,
      ),
    );
    this.#killWorker(w);
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
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const wait = checkBoolean(options.wait, 'options.wait', true);
    const cancelFutures = checkBoolean(options.cancelFutures, 'options.cancelFutures', false);
    this.#shutdown = true;
    if (cancelFutures) {
      for (let i = this.#queueHead; i < this.#queue.length; i++) this.#queue[i]!.future.cancel();
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
      this.#closeWorker(w);
      exits.push(w.exited);
    }
    await Promise.all(exits);
    this.onClosed();
  }

  /** Called once after shutdown, when every worker that could exit has. */
  protected onClosed(): void {}

  // --- stats -------------------------------------------------------------------------------------

  /** Whether the pool is broken (a worker died or an initializer failed). */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  stats(): ExecutorStats {
    const now = performance.now();
    let inFlight = 0;
    const workers: WorkerStats[] = [...this.#workers].map((w) => {
      inFlight += w.inflight.size;
      const aliveMs = now - w.startedAt;
      const state: WorkerStats['state'] =
        w.state === 'starting'
          ? 'starting'
          : w.state !== 'ready' || w.retiring
            ? 'retiring'
            : w.inflight.size > 0
              ? 'busy'
              : 'idle';
      return {
        workerId: w.workerId,
        threadId: w.channel.threadId,
        pid: w.channel.pid,
        state,
        tasksCompleted: w.tasksCompleted,
        busyMs: w.busyMs,
        aliveMs,
        utilization: aliveMs > 0 ? Math.min(1, w.busyMs / aliveMs) : 0,
      };
    });
    return {
      kind: this.#kind,
      maxWorkers: this.maxWorkers,
      tasksSubmitted: this.#submitted,
      tasksCompleted: this.#ranToEnd,
      tasksSucceeded: this.#succeeded,
      tasksFailed: this.#failed,
      tasksCancelled: this.#cancelled,
      tasksAborted: this.#aborted,
      tasksQueued: this.#queuedCount,
      tasksInFlight: inFlight,
      workersStarted: this.#workersStarted,
      workersExited: this.#workersExited,
      queueWaitMs: this.#queueWait.summary(),
      runTimeMs: this.#runTime.summary(),
      workers,
    };
  }
}
