// Abort flags: how a kernel running on one thread learns that someone wants it to stop.
//
// A kernel polls an Int32Array cell between slices (nonzero: stop). An AbortSignal cannot be read
// from another thread, so the wrappers turn one into a flag (see AbortFlag.fromSignal); executors
// pass their task's flag directly.

/** An Error named 'AbortError' (code 'ABORT_ERR'), as native kernels throw on abort. */
export class KernelAbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** True for any error named 'AbortError' (a kernel's, a DOMException's, an executor's). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * A cross-thread abort flag: one Int32Array cell, by default over its own SharedArrayBuffer, so the
 * same flag can be sent to a worker thread (post `flag.array`) and raised from either side.
 */
export class AbortFlag {
  readonly array: Int32Array;

  /** A fresh flag, or a view of an existing cell (an Int32Array whose element 0 is the flag). */
  constructor(array?: Int32Array) {
    if (array === undefined) {
      this.array = new Int32Array(new SharedArrayBuffer(4));
    } else {
      if (!(array instanceof Int32Array)) throw new TypeError('AbortFlag: array must be an Int32Array');
      if (array.length < 1) throw new RangeError('AbortFlag: array must have at least one element');
      this.array = array;
    }
  }

  /** A flag raised when `signal` aborts (at once if it already has). Call `dispose()` when done. */
  static fromSignal(signal: AbortSignal): AbortFlag & { dispose(): void } {
    if (!isAbortSignal(signal)) throw new TypeError('signal must be an AbortSignal');
    const flag = new AbortFlag() as AbortFlag & { dispose(): void };
    const onAbort = (): void => flag.abort();
    if (signal.aborted) flag.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    flag.dispose = () => signal.removeEventListener('abort', onAbort);
    return flag;
  }

  get aborted(): boolean {
    return Atomics.load(this.array, 0) !== 0;
  }
  abort(): void {
    Atomics.store(this.array, 0, 1);
  }
  reset(): void {
    Atomics.store(this.array, 0, 0);
  }
}

/** What the kernels accept as a way to stop them. */
export type AbortInput = AbortSignal | AbortFlag | Int32Array;

/** True if `x` could be an AbortSignal (also one from another realm). */
export function isAbortSignal(x: unknown): x is AbortSignal {
  return (
    x instanceof AbortSignal ||
    (typeof x === 'object' &&
      x !== null &&
      typeof (x as AbortSignal).aborted === 'boolean' &&
      typeof (x as AbortSignal).addEventListener === 'function')
  );
}

/** Checks an `signal` option: undefined, an AbortSignal, an AbortFlag or an Int32Array. */
export function checkAbortInput(x: unknown): AbortInput | undefined {
  if (x === undefined) return undefined;
  if (x instanceof AbortFlag || isAbortSignal(x)) return x;
  if (x instanceof Int32Array) {
    if (x.length < 1) throw new RangeError('signal: an Int32Array abort flag needs at least one element');
    return x;
  }
  throw new TypeError('signal must be an AbortSignal, an AbortFlag or an Int32Array');
}

/** A cheap "should I stop?" test for the TypeScript twins, polled once per slice. */
export function abortCheck(input: AbortInput | undefined): (() => boolean) | undefined {
  if (input === undefined) return undefined;
  if (input instanceof AbortFlag) return () => Atomics.load(input.array, 0) !== 0;
  if (input instanceof Int32Array) return () => Atomics.load(input, 0) !== 0;
  return () => input.aborted;
}
