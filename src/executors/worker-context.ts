// What a task can learn about where it runs: its interpreter (the lock it holds while it runs),
// its abort flag, the worker it runs on. Outside an executor's worker, currentTask() and
// currentWorker() return undefined.

import type { Interpreter } from '../interpreter.js';

export interface TaskContext {
  /** The executor's id for this task. */
  readonly id: number;
  /** True once Future.abort() asked this task to stop. Cheap enough to poll in a loop. */
  readonly aborted: boolean;
  /** Throws an AbortError if the task was asked to stop. */
  throwIfAborted(): void;
  /** Fires when the task is asked to stop while the worker's event loop runs (asynchronous tasks). */
  readonly signal: AbortSignal;
  /** The abort flag itself (nonzero: stop): native kernels poll it between slices. */
  readonly abortFlag: Int32Array;
}

export interface WorkerInfo {
  kind: 'thread' | 'process';
  workerId: number;
  /** shared: the process-wide interpreter (the GIL); isolated: one per worker; free: policy 'none'. */
  lockModel: 'shared' | 'isolated' | 'free';
  /** The interpreter whose lock this worker holds while it runs a task. */
  interpreter: Interpreter;
}

let worker: WorkerInfo | undefined;
let task: TaskContext | undefined;

/** The running task of this worker, or undefined (between tasks, or outside a worker). */
export function currentTask(): TaskContext | undefined {
  return task;
}

/** The worker this code runs in, or undefined outside an executor's worker. */
export function currentWorker(): WorkerInfo | undefined {
  return worker;
}

/**
 * The interpreter the current worker runs its tasks under; outside a worker: undefined.
 * @deprecated Use `Interpreter.current()`: the one API for the current interpreter (a worker makes
 * its interpreter the thread's default, and kernels use it without being told). Kept for code that
 * needs to tell "outside a worker" apart.
 */
export function currentInterpreter(): Interpreter | undefined {
  return worker?.interpreter;
}

/** @internal the worker runtime sets these. */
export function setWorkerInfo(info: WorkerInfo): void {
  worker = info;
}
/** @internal */
export function setCurrentTask(context: TaskContext | undefined): void {
  task = context;
}
