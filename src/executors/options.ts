// The options every executor takes, the Executor interface, and the checks of both: a clear
// TypeError or RangeError naming the option, at construction, never a broken pool later.

import os from 'node:os';
import { kernelNames } from './builtin-kernels.js';
import { checkBoolean, checkPositiveInteger } from './checks.js';
import { checkTimeout, type Future } from './future.js';
import type { MapOptions } from './map.js';
import type { InitMessage } from './protocol.js';
import type { ExecutorStats } from './stats.js';
import { normalizeTask, type NormalizedTask, type Task } from './task.js';
import type {
  BuiltinTaskArgs,
  BuiltinTaskName,
  BuiltinTaskResult,
  TypedTask,
  UntypedModuleTask,
} from './typed-task.js';

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
  /**
   * What a worker that dies unexpectedly does to the pool. 'break' (default, as Python): the pool is
   * broken, every pending future fails with BrokenThreadPool/BrokenProcessPool. 'replace' (as
   * piscina): only the task it was running fails (with that error), its unstarted tasks run
   * elsewhere, a new worker takes its place and the pool stays usable. A worker that dies before
   * it was ready still breaks the pool (a replacement would die the same way).
   */
  onWorkerExit?: 'break' | 'replace';
  /**
   * How long a worker that runs out of tasks keeps polling for the next one before it sleeps, in
   * microseconds (0..10000, default 100; 0: sleep at once). Waking a sleeping thread costs tens of
   * microseconds on many machines (far more in some VMs), which a sequence of small awaited tasks
   * pays on every round trip; polling costs a little CPU time after each batch instead.
   */
  idleSpinUs?: number;
}

/** submitWith(options, task, ...args). */
export interface SubmitOptions {
  /** Aborting it cancels the task if it has not started, or aborts it (Future.abort()) if it runs. */
  signal?: AbortSignal;
  /** How long a running task has to stop by itself once the signal fires; default: the pool's abortGraceMs. */
  abortGraceMs?: number;
}

export interface ShutdownOptions {
  /** Wait for every submitted task and for the workers to exit; default true. */
  wait?: boolean;
  /** Cancel the tasks that have not started; default false. */
  cancelFutures?: boolean;
}

/** The interface both executors implement. */
export interface Executor {
  submit<N extends BuiltinTaskName>(task: N, ...args: BuiltinTaskArgs<N>): Future<BuiltinTaskResult<N>>;
  submit<A extends unknown[], R>(task: TypedTask<A, R>, ...args: A): Future<R>;
  submit<T = unknown>(task: UntypedModuleTask, ...args: unknown[]): Future<T>;
  submitWith<N extends BuiltinTaskName>(
    options: SubmitOptions,
    task: N,
    ...args: BuiltinTaskArgs<N>
  ): Future<BuiltinTaskResult<N>>;
  submitWith<A extends unknown[], R>(options: SubmitOptions, task: TypedTask<A, R>, ...args: A): Future<R>;
  submitWith<T = unknown>(options: SubmitOptions, task: UntypedModuleTask, ...args: unknown[]): Future<T>;
  map<N extends BuiltinTaskName>(
    task: N,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    options?: MapOptions,
  ): AsyncIterableIterator<BuiltinTaskResult<N>>;
  map<A extends unknown[], R>(
    task: TypedTask<A, R>,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    options?: MapOptions,
  ): AsyncIterableIterator<R>;
  map<T = unknown>(
    task: UntypedModuleTask,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    options?: MapOptions,
  ): AsyncIterableIterator<T>;
  shutdown(options?: ShutdownOptions): Promise<void>;
  stats(): ExecutorStats;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_PIPELINE_DEPTH = 64;
const DEFAULT_ABORT_GRACE_MS = 1000;
const DEFAULT_IDLE_SPIN_US = 100;
const MAX_IDLE_SPIN_US = 10_000;

export interface CheckedExecutorOptions {
  maxWorkers: number;
  pipelineDepth: number;
  /** Infinity: abort() never kills a worker, it waits for the task. */
  abortGraceMs: number;
  idleTimeoutMs: number | undefined;
  maxTasksPerChild: number | undefined;
  initializer: InitMessage['initializer'];
  onWorkerExit: 'break' | 'replace';
  idleSpinUs: number;
}

/** maxTasksPerChild comes apart: only process pools have it (as in Python). */
export function checkExecutorOptions(options: unknown, maxTasksPerChild: unknown): CheckedExecutorOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const o = options as ExecutorOptions;
  let initializer: InitMessage['initializer'];
  if (o.initializer !== undefined) {
    const args = o.initializerArgs ?? [];
    if (!Array.isArray(args)) throw new TypeError('initializerArgs must be an array');
    checkCloneable(args);
    let task: NormalizedTask;
    try {
      task = normalizeTask(o.initializer, kernelNames());
    } catch (error) {
      if (error instanceof Error) error.message = error.message.replace(/^task/, 'initializer');
      throw error;
    }
    initializer = { task: task.descriptor, args };
  } else if (o.initializerArgs !== undefined) {
    throw new TypeError('initializerArgs needs an initializer');
  }
  return {
    maxWorkers:
      o.maxWorkers === undefined ? os.availableParallelism() : checkPositiveInteger(o.maxWorkers, 'maxWorkers', 4096),
    pipelineDepth:
      o.pipelineDepth === undefined
        ? DEFAULT_PIPELINE_DEPTH
        : checkPositiveInteger(o.pipelineDepth, 'pipelineDepth', 1024),
    // Infinity (or beyond a timer's range): abort() never kills a worker, it waits for the task.
    abortGraceMs:
      o.abortGraceMs === undefined
        ? DEFAULT_ABORT_GRACE_MS
        : (checkTimeout(o.abortGraceMs, 'abortGraceMs') ?? Infinity),
    idleTimeoutMs: checkTimeout(o.idleTimeoutMs, 'idleTimeoutMs'),
    maxTasksPerChild:
      maxTasksPerChild === undefined ? undefined : checkPositiveInteger(maxTasksPerChild, 'maxTasksPerChild'),
    initializer,
    onWorkerExit: checkOnWorkerExit(o.onWorkerExit),
    idleSpinUs: checkIdleSpinUs(o.idleSpinUs),
  };
}

// Every worker gets the initializer's arguments when it starts: one that cannot be cloned (a
// function or symbol, at any depth) is refused now rather than failing the pool's first task.
function checkCloneable(args: readonly unknown[]): void {
  for (let i = 0; i < args.length; i++) {
    try {
      structuredClone(args[i]);
    } catch (error) {
      throw new TypeError(`initializerArgs[${i}] cannot be sent to a worker: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

function checkIdleSpinUs(value: unknown): number {
  if (value === undefined) return DEFAULT_IDLE_SPIN_US;
  if (typeof value !== 'number') throw new TypeError(`idleSpinUs must be a number, got ${typeof value}`);
  if (!Number.isFinite(value) || value < 0 || value > MAX_IDLE_SPIN_US) {
    throw new RangeError(`idleSpinUs must be between 0 and ${MAX_IDLE_SPIN_US} (microseconds), got ${value}`);
  }
  return value;
}

function checkOnWorkerExit(value: unknown): 'break' | 'replace' {
  if (value === undefined) return 'break';
  if (value !== 'break' && value !== 'replace') {
    throw new RangeError(`onWorkerExit must be 'break' or 'replace', got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

export function checkShutdownOptions(options: unknown): { wait: boolean; cancelFutures: boolean } {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const o = options as ShutdownOptions;
  return {
    wait: checkBoolean(o.wait, 'options.wait', true),
    cancelFutures: checkBoolean(o.cancelFutures, 'options.cancelFutures', false),
  };
}

export function checkSubmitOptions(options: unknown): {
  signal: AbortSignal | undefined;
  abortGraceMs: number | undefined;
} {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const o = options as SubmitOptions;
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  // Checked now rather than when the signal fires (Future.abort() would reject then).
  if (o.abortGraceMs !== undefined) checkTimeout(o.abortGraceMs, 'options.abortGraceMs');
  return { signal: o.signal, abortGraceMs: o.abortGraceMs };
}
