// Task module for gil-lab's ThreadPoolExecutor: a task is a module export, loaded by each worker.
//   executor.submit({ module: new URL('./tasks.js', import.meta.url), export: 'stoppingTimesTask' },
//                   lo, hi, 'hold')
// The worker runs its tasks holding its interpreter's lock, so the kernel finds the lock held and
// keeps it (hold) or lets it go for the computation (release). It uses the worker's interpreter
// (the main one in a 'shared' pool, the worker's own in an 'isolated' one) and the task's abort
// flag, so Future.abort() stops it within one slice.
import { currentInterpreter, currentTask } from 'gil-lab';
import { stoppingTimes } from './index.js';

export function stoppingTimesTask(lo, hi, mode) {
  const task = currentTask();
  const result = stoppingTimes(lo, hi, {
    mode,
    interpreterId: currentInterpreter()?.id,
    abortFlag: task?.abortFlag,
  });
  // Stopped early by Future.abort(): report it as the executor's AbortError, as its kernels do.
  if (result.aborted) task?.throwIfAborted();
  return result;
}
