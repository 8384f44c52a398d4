// Messages between an executor and its workers. Tasks and results travel in batches, as flat
// arrays, so that many small tasks cost few messages.

import type { SerializedThrow } from './errors.js';
import type { TaskDescriptor } from './task.js';

/** How a worker takes its interpreter lock around tasks. */
export type LockSpec =
  | { model: 'shared' } // Interpreter.main(): the process-wide GIL (thread pools, and every child process)
  | { model: 'isolated' | 'free'; interpreterId: number }; // an interpreter made by the pool

export interface InitMessage {
  type: 'init';
  kind: 'thread' | 'process';
  workerId: number;
  lock: LockSpec;
  /** thread: a SharedArrayBuffer; process: the name of a SharedMemory segment. */
  control: { buffer: SharedArrayBuffer } | { shmName: string; byteLength: number };
  initializer?: { task: TaskDescriptor; args: unknown[] };
  /** Process workers: how the channel encodes messages ('json' results are checked before sending). */
  serialization?: 'advanced' | 'json';
  /** How long an idle worker polls for its next task before it sleeps (ExecutorOptions.idleSpinUs). */
  idleSpinUs: number;
}

/** items: [id, slot, taskId, flags, args] repeated. defs: task ids this worker has not seen yet. */
export interface RunMessage {
  type: 'run';
  defs?: Array<[number, TaskDescriptor]>;
  items: unknown[];
}

/** Fires the AbortSignal of a running asynchronous task (sync code sees the abort flag instead). */
export interface AbortMessage {
  type: 'abort';
  id: number;
}

export type ToWorker = InitMessage | RunMessage | AbortMessage;

export const RUN_ITEM_FIELDS = 5;
/** map() with chunksize: args is [items]; the task is called once per item, the result is an array. */
export const FLAG_CHUNK = 1;
/** Spread each item (an array) into the task's arguments. */
export const FLAG_SPREAD = 2;

export interface ReadyMessage {
  type: 'ready';
}
export interface InitFailedMessage {
  type: 'init-failed';
  error: SerializedThrow;
}
/** results: [id, status, payload, startedAtMs, runMs] repeated (times from performance.timeOrigin + now()). */
export interface DoneMessage {
  type: 'done';
  results: unknown[];
}
/** A process worker reporting an uncaught error just before it exits. */
export interface FatalMessage {
  type: 'fatal';
  error: SerializedThrow;
}
export type FromWorker = ReadyMessage | InitFailedMessage | DoneMessage | FatalMessage;

export const RESULT_FIELDS = 5;
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
/** Cancelled before it started: the worker skipped it. */
export const STATUS_SKIPPED = 2;
/** Succeeded with undefined (a void task): said by the status, since JSON would turn it into null. */
export const STATUS_VOID = 3;

// Control block: two Int32 cells per slot (a worker has at most pipelineDepth tasks in flight, one
// per slot): the slot's state and the task's abort flag; control.ts's slotStateCell/slotAbortCell address them.
export const SLOT_FREE = 0;
export const SLOT_PENDING = 1; // sent, not started: cancel() may still take it back
export const SLOT_RUNNING = 2;
export const SLOT_CANCELLED = 3;
export const CONTROL_CELLS_PER_SLOT = 2;

/** Epoch milliseconds with sub-microsecond resolution, comparable between threads and processes. */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}
