// Task module for gil-lab's ThreadPoolExecutor: a task is a module export, loaded by each worker.
//   executor.submit({ module: new URL('./tasks.js', import.meta.url), export: 'stoppingTimesTask' },
//                   lo, hi, 'hold')
// The worker runs its tasks holding its interpreter's lock, so the kernel finds the lock held and
// keeps it (hold) or lets it go for the computation (release). It uses the worker's interpreter
// (the main one in a 'shared' pool, the worker's own in an 'isolated' one) and the task's abort
// flag, so Future.abort() stops it within one slice.
import { currentTask, Interpreter } from 'gil-lab';
import { stoppingTimes, stoppingTimesAsync } from './index.js';

export function stoppingTimesTask(lo, hi, mode) {
  const task = currentTask();
  const result = stoppingTimes(lo, hi, {
    mode,
    interpreterId: Interpreter.current().id,
    abortFlag: task?.abortFlag,
  });
  // Stopped early by Future.abort(): report it as the executor's AbortError, as its kernels do.
  if (result.aborted) task?.throwIfAborted();
  return result;
}

// The same, with nothing passed in: the extension asks gil-lab's C API (version 2) for this
// thread's current interpreter and the running task's abort flag.
export function stoppingTimesFromCApi(lo, hi, mode) {
  const result = stoppingTimes(lo, hi, { mode });
  if (result.aborted) currentTask()?.throwIfAborted();
  return result;
}

// As asynchronous work on Node's thread pool: the worker releases its lock while it awaits, the
// pool thread takes it (hold) or takes and releases it (release).
export async function stoppingTimesAsyncTask(lo, hi, mode) {
  const result = await stoppingTimesAsync(lo, hi, { mode });
  if (result.aborted) currentTask()?.throwIfAborted();
  return result;
}
