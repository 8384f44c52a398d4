// Built-in kernel tasks. `submit('countPrimes', lo, hi)` runs kernels.countPrimes(lo, hi) in the
// worker, under the worker's interpreter (the lock it holds while it runs tasks) and with the task's
// abort flag, so Future.abort() stops it within one slice. `submit('reference.countPrimes', lo, hi)`
// runs the TypeScript twin (the "interpreted" version) the same way.
//
// After the kernel's own arguments, one more argument may give the kernel mode:
// `submit('countPrimes', lo, hi, { mode: 'release' })`. (The interpreter and the abort signal are
// the worker's; they cannot be sent.)

import { kernelArity, kernels, KERNEL_NAMES, KERNELS, reference, type KernelName } from '../kernels/index.js';
import { Interpreter } from '../interpreter.js';
import { currentTask } from './worker-context.js';
import type { TaskFunction } from './task.js';

const REFERENCE_PREFIX = 'reference.';

type KernelFunction = (...args: unknown[]) => unknown;

function lookup(name: string): { fn: KernelFunction; arity: number; twin: boolean } | undefined {
  const twin = name.startsWith(REFERENCE_PREFIX);
  const bare = twin ? name.slice(REFERENCE_PREFIX.length) : name;
  if (!Object.hasOwn(KERNELS, bare)) return undefined;
  const arity = kernelArity(bare as KernelName);
  const table = (twin ? reference : kernels) as unknown as Record<string, unknown>;
  const fn = Object.hasOwn(table, bare) ? table[bare] : undefined;
  return typeof fn === 'function' ? { fn: fn as KernelFunction, arity, twin } : undefined;
}

let names: ReadonlySet<string> | undefined;

/** Every built-in task name: the kernels and, prefixed 'reference.', their TypeScript twins. */
export function kernelNames(): ReadonlySet<string> {
  if (names === undefined) {
    const all = new Set<string>();
    for (const name of KERNEL_NAMES) {
      if (lookup(name) !== undefined) all.add(name);
      if (lookup(REFERENCE_PREFIX + name) !== undefined) all.add(REFERENCE_PREFIX + name);
    }
    names = all;
  }
  return names;
}

function isModeOptions(value: unknown): value is { mode?: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  return Object.keys(value).every((key) => key === 'mode');
}

/** The function a worker calls for a built-in kernel task. */
export function resolveKernelTask(name: string): TaskFunction {
  const found = lookup(name);
  if (found === undefined) throw new RangeError(`task: unknown kernel ${JSON.stringify(name)}`);
  const { fn, arity, twin } = found;
  return (...args: unknown[]) => {
    let mode: unknown;
    if (args.length === arity + 1 && isModeOptions(args[arity])) {
      mode = (args.pop() as { mode?: unknown }).mode;
    } else if (args.length > arity) {
      throw new RangeError(
        `${name} takes ${arity} argument(s) and then, optionally, { mode: 'hold' | 'release' }; got ${args.length} arguments`,
      );
    }
    while (args.length < arity) args.push(undefined);
    const interpreter = Interpreter.current();
    const signal = currentTask()?.abortFlag;
    if (twin) {
      if (mode !== undefined)
        throw new TypeError(`${name}: the TypeScript twins have no mode (they always hold the lock)`);
      return fn(...args, { interpreter, signal });
    }
    return fn(...args, mode === undefined ? { interpreter, signal } : { mode, interpreter, signal });
  };
}
