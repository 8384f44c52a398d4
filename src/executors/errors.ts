// Errors of the executors, named after Python's concurrent.futures, plus the way an error
// thrown in a worker travels back: it is turned into plain data there (SerializedThrow) and
// rebuilt here with its name, message, stack, cause and own properties.

import { types } from 'node:util';

/** Base of the errors that say an executor can no longer run tasks (Python's BrokenExecutor). */
export class BrokenExecutor extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokenExecutor';
  }
}

/**
 * A worker thread died (uncaught error, process.exit in a task, terminate from outside) or its
 * initializer failed: every future that was running or waiting fails with this, and the pool
 * takes no more work.
 */
export class BrokenThreadPool extends BrokenExecutor {
  /** The worker's exit code, or null when the pool broke without a worker exiting (initializer). */
  readonly exitCode: number | null;
  readonly threadId: number | null;
  constructor(message: string, details: { exitCode?: number | null; threadId?: number | null; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BrokenThreadPool';
    this.exitCode = details.exitCode ?? null;
    this.threadId = details.threadId ?? null;
  }
}

/** A child process died (killed, crashed, exited) or its initializer failed. */
export class BrokenProcessPool extends BrokenExecutor {
  readonly exitCode: number | null;
  /** The signal that ended the child, e.g. 'SIGKILL', or null. */
  readonly signal: NodeJS.Signals | null;
  readonly pid: number | null;
  constructor(
    message: string,
    details: { exitCode?: number | null; signal?: NodeJS.Signals | null; pid?: number | null; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BrokenProcessPool';
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.pid = details.pid ?? null;
  }
}

/** The future was cancelled before it ran (awaiting it, or result(), rejects with this). */
export class CancelledError extends Error {
  constructor(message = 'the future was cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** result()/exception()/asCompleted()/map() ran out of time. The task itself is not stopped. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** submit()/map() after shutdown(). */
export class ExecutorShutdownError extends Error {
  constructor(message = 'cannot schedule new tasks: the executor has been shut down') {
    super(message);
    this.name = 'ExecutorShutdownError';
  }
}

/** A running task was stopped by Future.abort(): cooperatively (the task saw its abort flag) or by force. */
export class AbortError extends Error {
  constructor(message = 'the task was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

// ---------------------------------------------------------------------------------------------
// Errors across threads and processes.
//
// Structured clone keeps only the built-in error classes, drops custom names and own properties,
// and JSON keeps nothing, so a worker sends an explicit description instead.

/** What a worker sends back for a thrown value. */
export type SerializedThrow =
  | { kind: 'value'; value: unknown } // a non-Error value that survives cloning: rethrown as is
  | { kind: 'opaque'; description: string; type: string } // a non-Error value that cannot be cloned
  | {
      kind: 'error';
      name: string;
      message: string;
      stack: string | undefined;
      hasCause: boolean;
      cause?: SerializedThrow;
      errors?: SerializedThrow[]; // AggregateError
      props: Record<string, unknown>; // own enumerable properties that could be cloned (code, errno, ...)
    };

const MAX_CAUSE_DEPTH = 16;

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function isErrorObject(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** Turns anything a task threw into data that survives structured clone and JSON. Never throws. */
export function serializeThrown(value: unknown, depth = 0): SerializedThrow {
  try {
    return serializeInspecting(value, depth);
  } catch (trapError) {
    // A value whose proxy traps or getters throw: report it without touching it again (an
    // exception escaping here would end the worker and break the pool).
    let why: string;
    try {
      why = trapError instanceof Error ? trapError.message : String(trapError);
    } catch {
      why = 'unknown';
    }
    return { kind: 'opaque', description: `a value that throws when inspected (${why})`, type: typeof value };
  }
}

function serializeInspecting(value: unknown, depth: number): SerializedThrow {
  if (isErrorObject(value)) {
    const err = value as Error & { cause?: unknown; errors?: unknown };
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(err)) {
      if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause' || key === 'errors') continue;
      const prop = (err as unknown as Record<string, unknown>)[key];
      if (typeof prop !== 'function' && isCloneable(prop)) props[key] = prop;
    }
    let name = 'Error';
    let message = '';
    let stack: string | undefined;
    try {
      name = String(err.name);
      message = String(err.message);
      stack = typeof err.stack === 'string' ? err.stack : undefined;
    } catch {
      // getters that throw: keep the defaults
    }
    const out: SerializedThrow = { kind: 'error', name, message, stack, hasCause: 'cause' in err, props };
    if (out.hasCause) {
      out.cause =
        depth < MAX_CAUSE_DEPTH
          ? serializeThrown(err.cause, depth + 1)
          : { kind: 'opaque', description: '[cause chain truncated]', type: 'string' };
    }
    if (Array.isArray(err.errors) && depth < MAX_CAUSE_DEPTH) {
      out.errors = err.errors.map((e: unknown) => serializeThrown(e, depth + 1));
    }
    return out;
  }
  if (isCloneable(value)) return { kind: 'value', value };
  let description: string;
  try {
    description = String(value);
  } catch {
    description = Object.prototype.toString.call(value);
  }
  return { kind: 'opaque', description, type: typeof value };
}

const BUILTIN_ERRORS: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds what serializeThrown() made: same class for built-in errors, same name/message/stack/cause. */
export function rebuildThrown(data: SerializedThrow): unknown {
  switch (data.kind) {
    case 'value':
      return data.value;
    case 'opaque':
      return new TypeError(`the task threw a ${data.type} that cannot be sent between threads: ${data.description}`);
    case 'error': {
      let err: Error;
      if (data.errors !== undefined) {
        err = new AggregateError(data.errors.map(rebuildThrown), data.message);
      } else {
        const Ctor = BUILTIN_ERRORS[data.name] ?? Error;
        err = new Ctor(data.message);
      }
      if (err.name !== data.name) {
        Object.defineProperty(err, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
      }
      if (data.stack !== undefined) {
        Object.defineProperty(err, 'stack', {
          value: data.stack,
          writable: true,
          configurable: true,
          enumerable: false,
        });
      }
      if (data.hasCause) {
        Object.defineProperty(err, 'cause', {
          value: data.cause === undefined ? undefined : rebuildThrown(data.cause),
          writable: true,
          configurable: true,
          enumerable: false,
        });
      }
      Object.assign(err, data.props);
      return err;
    }
  }
}
