// concurrent.futures for Node: ThreadPoolExecutor and ProcessPoolExecutor behind one interface.
export { ThreadPoolExecutor, LOCK_MODELS } from './thread-pool.js';
export type { ThreadPoolExecutorOptions, LockModel } from './thread-pool.js';
export { InterpreterPoolExecutor, INTERPRETER_POOL_LOCK_TEXT } from './interpreter-pool.js';
export type { InterpreterPoolExecutorOptions } from './interpreter-pool.js';
export { ProcessPoolExecutor } from './process-pool.js';
export type { ProcessPoolExecutorOptions } from './process-pool.js';
export type { Executor, ExecutorOptions, ShutdownOptions, SubmitOptions } from './options.js';
export type { MapOptions } from './map.js';
export { Future } from './future.js';
export type { FutureState, AbortOutcome } from './future.js';
export { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from './wait.js';
export type { ReturnWhen, WaitResult, CompletedFuture } from './wait.js';
export {
  BrokenExecutor,
  BrokenThreadPool,
  BrokenProcessPool,
  CancelledError,
  TimeoutError,
  ExecutorShutdownError,
  AbortError,
} from './errors.js';
export { transfer } from './transfer.js';
export type { Task, ModuleTask } from './task.js';
export { taskOf } from './typed-task.js';
export type {
  BuiltinTaskArgs,
  BuiltinTaskName,
  BuiltinTaskResult,
  KernelTaskOptions,
  TaskOf,
  TypedTask,
  UntypedModuleTask,
} from './typed-task.js';
export { currentTask, currentWorker, currentInterpreter } from './worker-context.js';
export type { TaskContext, WorkerInfo } from './worker-context.js';
export type { ExecutorStats, WorkerStats, DurationSummary } from './stats.js';
