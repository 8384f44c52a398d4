// Types for submit() and map(): a built-in task's arguments and result come from the kernel table
// (src/kernels/table.ts), so `submit('countPrimes', 0, 1000)` is a Future<number> and a misspelt
// name or a wrong argument does not compile; a module task is typed through taskOf().

import type { KernelArgs, KernelMode, KernelName, KernelResult, TwinName } from '../kernels/index.js';
import type { ModuleTask } from './task.js';

// Never set: a slot that carries a module task's function type for the type system only.
declare const taskTypes: unique symbol;

/** What map() reads its items from. */
export type MapItems = Iterable<unknown> | AsyncIterable<unknown>;

/** The options a built-in kernel task may take after its arguments. */
export interface KernelTaskOptions {
  mode?: KernelMode;
}

/** A built-in task: a native kernel's name, or 'reference.' and the name of a kernel with a twin. */
export type BuiltinTaskName = KernelName | `reference.${TwinName}`;

/** A built-in task's arguments: the kernel's, then (native kernels only) `{ mode }`. */
export type BuiltinTaskArgs<N extends BuiltinTaskName> = N extends `reference.${infer K extends TwinName}`
  ? KernelArgs<K>
  : N extends KernelName
    ? [...KernelArgs<N>, options?: KernelTaskOptions]
    : never;

/** What a built-in task's future resolves to. */
export type BuiltinTaskResult<N extends BuiltinTaskName> = N extends `reference.${infer K extends TwinName}`
  ? KernelResult<K>
  : N extends KernelName
    ? KernelResult<N>
    : never;

/** A module task whose export has a known type: made by taskOf(). */
export interface TypedTask<A extends unknown[], R> extends ModuleTask {
  readonly [taskTypes]?: (...args: A) => R;
}

/** A module task with no type attached: its future's type is the caller's to say. */
export interface UntypedModuleTask extends ModuleTask {
  readonly [taskTypes]?: undefined;
}

/** The typed task for a function type F: its parameters, and its (awaited) result. */
export type TaskOf<F> = F extends (...args: infer A) => infer R ? TypedTask<A, Awaited<R>> : never;

/**
 * A module task typed by its export:
 * `taskOf<typeof import('./work.js').fib>(new URL('./work.js', import.meta.url), 'fib')`.
 * The type is the caller's promise: the worker loads the module, nothing checks it here.
 */
export function taskOf<F extends (...args: never[]) => unknown>(module: string | URL, exportName?: string): TaskOf<F> {
  const task: ModuleTask = exportName === undefined ? { module } : { module, export: exportName };
  return task as TaskOf<F>;
}
