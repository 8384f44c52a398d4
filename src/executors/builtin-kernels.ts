// Built-in kernel tasks: submit('countPrimes', lo, hi) runs kernels.countPrimes in the worker,
// under the worker's interpreter, with the task's abort flag.
import type { TaskFunction } from './task.js';

export function kernelNames(): ReadonlySet<string> {
  return new Set();
}

export function resolveKernelTask(name: string): TaskFunction {
  throw new RangeError(`task: unknown kernel ${JSON.stringify(name)}`);
}
