// What a task is, and how it is checked at submit and found in a worker.
//
// Functions are never sent to a worker (the analogue of pickling): a task names code the worker
// can load itself — a built-in kernel by name, or an export of a module file (ES module or
// CommonJS) given by absolute path or file: URL.

import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** An export of a module file; `export` defaults to 'default'. */
export interface ModuleTask {
  module: string | URL;
  export?: string;
}

/** A built-in kernel name ('countPrimes', ...) or a module export. */
export type Task = string | ModuleTask;

/** The form a task travels in. */
export type TaskDescriptor = { kind: 'kernel'; name: string } | { kind: 'module'; url: string; exportName: string };

export interface NormalizedTask {
  /** Equal for equal tasks: workers cache what they loaded under it. */
  key: string;
  descriptor: TaskDescriptor;
  /** For messages: the kernel name or `module#export`. */
  label: string;
}

const objectCache = new WeakMap<object, NormalizedTask>();
const stringCache = new Map<string, NormalizedTask>();
/** Module files seen to exist. Missing ones are looked up again: the file may appear later. */
const existingFiles = new Set<string>();

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return `${typeof value} ${String(value)}`;
}

function moduleUrl(spec: unknown): string {
  if (spec instanceof URL) {
    if (spec.protocol !== 'file:')
      throw new TypeError(`task.module must be an absolute path or a file: URL, got ${spec.href}`);
    return spec.href;
  }
  if (typeof spec !== 'string' || spec.length === 0) {
    throw new TypeError(`task.module must be an absolute path or a file: URL string, got ${describe(spec)}`);
  }
  if (spec.startsWith('file:')) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new TypeError(`task.module is not a valid file: URL: ${spec}`);
    }
    return url.href;
  }
  if (!path.isAbsolute(spec)) {
    throw new TypeError(
      `task.module must be an absolute path or a file: URL (a worker has no "current module" to resolve ${JSON.stringify(spec)} against); ` +
        'use e.g. new URL("./tasks.js", import.meta.url)',
    );
  }
  return pathToFileURL(spec).href;
}

function checkModuleExists(url: string): void {
  if (existingFiles.has(url)) return;
  const file = fileURLToPath(url);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) {
    throw Object.assign(new Error(`task.module: cannot find module file ${file}`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  if (!stat.isFile()) {
    throw Object.assign(new Error(`task.module: ${file} is not a file`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  existingFiles.add(url);
}

/**
 * Checks a task at submit: the shape, a known kernel name, the module file's existence. A missing
 * export can only be seen by loading the module, which happens in the worker: that error arrives
 * in the future.
 */
export function normalizeTask(task: unknown, kernelNames: ReadonlySet<string>): NormalizedTask {
  if (typeof task === 'string') {
    const cached = stringCache.get(task);
    if (cached !== undefined) return cached;
    if (!kernelNames.has(task)) {
      const known = [...kernelNames].sort().join(', ');
      throw new RangeError(`task: unknown kernel ${JSON.stringify(task)}; built-in kernels: ${known || '(none)'}`);
    }
    const normalized: NormalizedTask = {
      key: `kernel:${task}`,
      descriptor: { kind: 'kernel', name: task },
      label: task,
    };
    stringCache.set(task, normalized);
    return normalized;
  }
  if (task === null || typeof task !== 'object' || task instanceof URL) {
    throw new TypeError(
      `task must be a built-in kernel name or { module, export } (functions cannot be sent to a worker), got ${describe(task)}`,
    );
  }
  const cached = objectCache.get(task);
  if (cached !== undefined) {
    checkModuleExists((cached.descriptor as { url: string }).url);
    return cached;
  }
  // A common slip: { module, name } would otherwise run the default export, silently.
  if (!('export' in task) && 'name' in task) {
    throw new TypeError(
      'task.name is not a key of a module task: name the function with task.export ({ module, export })',
    );
  }
  const { module, export: exportName = 'default' } = task as ModuleTask;
  const url = moduleUrl(module);
  if (typeof exportName !== 'string' || exportName.length === 0) {
    throw new TypeError(`task.export must be a non-empty string, got ${describe(exportName)}`);
  }
  checkModuleExists(url);
  const normalized: NormalizedTask = {
    key: `module:${url}#${exportName}`,
    descriptor: { kind: 'module', url, exportName },
    label: `${fileURLToPath(url)}#${exportName}`,
  };
  objectCache.set(task, normalized);
  return normalized;
}

// ---------------------------------------------------------------------------------------------
// In the worker.

export type TaskFunction = (...args: unknown[]) => unknown;

const loadedModules = new Map<string, Promise<Record<string, unknown>>>();

/** Loads (once per worker) the module of a task and finds its export. */
export async function loadModuleExport(url: string, exportName: string): Promise<TaskFunction> {
  let loading = loadedModules.get(url);
  if (loading === undefined) {
    loading = import(url) as Promise<Record<string, unknown>>;
    loadedModules.set(url, loading);
    // A failed import is not cached: the next task retries and reports the error again.
    loading.catch(() => loadedModules.delete(url));
  }
  const namespace = await loading;
  let fn = namespace[exportName];
  // CommonJS: named exports that Node's static analysis could not see are on module.exports (the default).
  const cjs = namespace.default;
  if (fn === undefined && cjs !== null && (typeof cjs === 'object' || typeof cjs === 'function') && exportName in cjs) {
    fn = (cjs as Record<string, unknown>)[exportName];
  }
  if (typeof fn !== 'function') {
    const exported = Object.keys(namespace).filter((k) => typeof namespace[k] === 'function');
    const what = fn === undefined ? 'has no export' : `exports a ${typeof fn}, not a function, as`;
    throw Object.assign(
      new TypeError(
        `task.export: module ${fileURLToPath(url)} ${what} ${JSON.stringify(exportName)} ` +
          `(its function exports: ${exported.join(', ') || 'none'})`,
      ),
      { code: 'ERR_TASK_EXPORT_NOT_FOUND' },
    );
  }
  return fn as TaskFunction;
}

/** Functions and symbols are never sent across (the analogue of pickling refusing them): name a task instead. */
export function checkSendableArgs(args: readonly unknown[]): void {
  for (let i = 0; i < args.length; i++) {
    const type = typeof args[i];
    if (type === 'function' || type === 'symbol') {
      throw new TypeError(
        `args[${i}]: a ${type} cannot be sent to a worker (functions are never sent across: name a task instead)`,
      );
    }
  }
}
