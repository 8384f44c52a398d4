// Future: the result of submit(). Python's concurrent.futures.Future shaped to JavaScript:
// a thenable (so `await future` works) whose blocking calls (result, exception) return Promises.
//
// A Future creates no Promise until someone calls then(): a failed future nobody awaits is not
// an unhandled rejection (as in Python, an exception nobody retrieves is silent).

import { CancelledError, TimeoutError } from './errors.js';

export type FutureState = 'pending' | 'running' | 'finished' | 'cancelled';

/** How Future.abort() ended. */
export type AbortOutcome =
  | 'cancelled' // it had not started: cancelled, as cancel() would
  | 'cooperative' // it saw its abort flag (or signal) and stopped within the grace period
  | 'forced' // it did not stop in time: its worker was terminated/killed and replaced
  | 'finished'; // it was already done (or finished during the grace period)

/** What the executor that owns a future does for it. */
export interface FutureOwner {
  /** Try to take a not-yet-started task back; true if it will never run. */
  tryCancel(future: Future<unknown>): boolean;
  /** Whether the task has started on a worker (the executor may know it only through shared memory). */
  isRunning(future: Future<unknown>): boolean;
  abort(future: Future<unknown>, graceMs: number | undefined): Promise<AbortOutcome>;
}

type DoneCallback<T> = (future: Future<T>) => void;

const enum State {
  Pending,
  Running,
  Finished,
  Cancelled,
}

/** The longest delay a timer can hold; setTimeout turns anything longer into 1 ms. */
const TIMER_MAX_MS = 2 ** 31 - 1;

export function checkTimeout(timeoutMs: unknown, argName = 'timeoutMs'): number | undefined {
  if (timeoutMs === undefined || timeoutMs === Infinity) return undefined;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
    throw new TypeError(
      `${argName} must be a number of milliseconds (or undefined/Infinity), got ${describe(timeoutMs)}`,
    );
  }
  if (timeoutMs < 0) throw new RangeError(`${argName} must be >= 0, got ${timeoutMs}`);
  // Beyond ~24.8 days no timer can wait that long (it would fire after 1 ms): treat it as no timeout.
  if (timeoutMs > TIMER_MAX_MS) return undefined;
  return timeoutMs;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return `${typeof value} ${String(value)}`;
}

/** Internal hooks for executors; not exported from the package root. */
export interface FutureInternals {
  setRunning(future: Future<unknown>): void;
  resolve(future: Future<unknown>, value: unknown): boolean;
  reject(future: Future<unknown>, error: unknown): boolean;
  /** Cancel without asking the owner (the owner already made sure it will not run). */
  markCancelled(future: Future<unknown>): boolean;
  /** A done-listener that can be removed again (wait/asCompleted use it). */
  listen(future: Future<unknown>, fn: () => void): () => void;
  /** Back to pending (a dispatched task that never started, requeued after its worker was replaced). */
  setPending(future: Future<unknown>): void;
}

let internals!: FutureInternals;

export class Future<T = unknown> implements PromiseLike<T> {
  #state: State = State.Pending;
  #value: T | undefined;
  #error: unknown;
  #failed = false;
  #callbacks: DoneCallback<T>[] | undefined;
  #listeners: Set<() => void> | undefined;
  #promise: Promise<T> | undefined;
  #settlePromise: { resolve(v: T): void; reject(e: unknown): void } | undefined;
  readonly #owner: FutureOwner | undefined;

  /** Executors create futures; a Future without owner can only be cancelled while pending. */
  constructor(owner?: FutureOwner) {
    this.#owner = owner;
  }

  static {
    internals = {
      setRunning: (f) => {
        if (f.#state === State.Pending) f.#state = State.Running;
      },
      setPending: (f) => {
        if (f.#state === State.Running) f.#state = State.Pending;
      },
      resolve: (f, value) => f.#settle(false, value as never),
      reject: (f, error) => f.#settle(true, error),
      markCancelled: (f) => f.#markCancelled(),
      listen: (f, fn) => {
        if (f.done()) {
          fn();
          return () => {};
        }
        (f.#listeners ??= new Set()).add(fn);
        return () => f.#listeners?.delete(fn);
      },
    };
  }

  get [Symbol.toStringTag](): string {
    return 'Future';
  }

  /** 'pending' | 'running' | 'finished' | 'cancelled'. */
  get state(): FutureState {
    if (this.running()) return 'running';
    return (['pending', 'running', 'finished', 'cancelled'] as const)[this.#state];
  }

  /**
   * Cancel the task if it has not started. True if it is (now) cancelled, false if it is running
   * or finished — as Python's Future.cancel(). Use abort() to stop a running task.
   */
  cancel(): boolean {
    if (this.#state === State.Cancelled) return true;
    if (this.#state !== State.Pending) return false;
    if (this.#owner !== undefined && !this.#owner.tryCancel(this as Future<unknown>)) return false;
    return this.#markCancelled();
  }

  cancelled(): boolean {
    return this.#state === State.Cancelled;
  }

  running(): boolean {
    if (this.#state === State.Running) return true;
    if (this.#state === State.Pending && this.#owner !== undefined)
      return this.#owner.isRunning(this as Future<unknown>);
    return false;
  }

  done(): boolean {
    return this.#state === State.Finished || this.#state === State.Cancelled;
  }

  /**
   * The task's value; rejects with the task's error, with CancelledError if cancelled, or with
   * TimeoutError if it is not done within timeoutMs (the task goes on).
   */
  result(options: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = checkTimeout(options?.timeoutMs, 'options.timeoutMs');
    if (timeoutMs === undefined || this.done()) return this.#getPromise();
    return this.#withTimeout(timeoutMs).then(() => this.#getPromise());
  }

  /** The task's error, or undefined if it succeeded; rejects with CancelledError or TimeoutError. */
  exception(options: { timeoutMs?: number } = {}): Promise<unknown> {
    const timeoutMs = checkTimeout(options?.timeoutMs, 'options.timeoutMs');
    const read = (): unknown => {
      if (this.#state === State.Cancelled) throw new CancelledError();
      return this.#failed ? this.#error : undefined;
    };
    if (this.done()) return Promise.resolve().then(read);
    return this.#withTimeout(timeoutMs).then(read);
  }

  /**
   * Call fn(future) once the future is done (or cancelled); at once if it already is. An error
   * thrown by fn is reported as a process warning, not thrown (as Python logs it).
   */
  addDoneCallback(fn: DoneCallback<T>): void {
    if (typeof fn !== 'function') throw new TypeError(`fn must be a function, got ${describe(fn)}`);
    if (this.done()) {
      this.#invoke(fn);
      return;
    }
    (this.#callbacks ??= []).push(fn);
  }

  /**
   * Stop the task. Not started: cancelled. Running: its abort flag is raised (native kernels stop
   * within one slice; JS tasks see currentTask().aborted / signal); if it has not stopped after
   * graceMs (default: the executor's abortGraceMs; Infinity or beyond a timer's range: never) its
   * worker is terminated or killed and replaced, and the future rejects with AbortError.
   */
  abort(options: { graceMs?: number } = {}): Promise<AbortOutcome> {
    // Left out: the executor's default. Given but past any timer (checkTimeout's undefined): no limit.
    const graceMs =
      options?.graceMs === undefined ? undefined : (checkTimeout(options.graceMs, 'options.graceMs') ?? Infinity);
    if (this.done()) return Promise.resolve(this.cancelled() ? 'cancelled' : 'finished');
    if (this.cancel()) return Promise.resolve('cancelled');
    if (this.#owner === undefined) return Promise.resolve('finished');
    return this.#owner.abort(this as Future<unknown>, graceMs);
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#getPromise().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#getPromise().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.#getPromise().finally(onFinally);
  }

  // ---------------------------------------------------------------------------------------------

  #getPromise(): Promise<T> {
    if (this.#promise === undefined) {
      if (this.#state === State.Finished) {
        this.#promise = this.#failed ? Promise.reject(this.#error) : Promise.resolve(this.#value as T);
      } else if (this.#state === State.Cancelled) {
        this.#promise = Promise.reject(new CancelledError());
      } else {
        this.#promise = new Promise<T>((resolve, reject) => {
          this.#settlePromise = { resolve, reject };
        });
      }
    }
    return this.#promise;
  }

  /** Resolves when done, rejects with TimeoutError after timeoutMs. */
  #withTimeout(timeoutMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const unlisten = internals.listen(this as Future<unknown>, () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      });
      if (timeoutMs !== undefined && !this.done()) {
        timer = setTimeout(() => {
          unlisten();
          reject(new TimeoutError(`the future was not done within ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }

  #settle(failed: boolean, valueOrError: unknown): boolean {
    if (this.done()) return false;
    this.#state = State.Finished;
    this.#failed = failed;
    if (failed) this.#error = valueOrError;
    else this.#value = valueOrError as T;
    if (this.#settlePromise !== undefined) {
      if (failed) this.#settlePromise.reject(valueOrError);
      else this.#settlePromise.resolve(valueOrError as T);
      this.#settlePromise = undefined;
    }
    this.#notify();
    return true;
  }

  #markCancelled(): boolean {
    if (this.#state === State.Cancelled) return true;
    if (this.done()) return false;
    this.#state = State.Cancelled;
    if (this.#settlePromise !== undefined) {
      this.#settlePromise.reject(new CancelledError());
      this.#settlePromise = undefined;
    }
    this.#notify();
    return true;
  }

  #notify(): void {
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const fn of listeners) fn();
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    if (callbacks !== undefined) for (const fn of callbacks) this.#invoke(fn);
  }

  #invoke(fn: DoneCallback<T>): void {
    try {
      fn(this);
    } catch (error) {
      process.emitWarning(
        `a Future done-callback threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        { code: 'GIL_LAB_DONE_CALLBACK' },
      );
    }
  }
}

export function futureInternals(): FutureInternals {
  return internals;
}

/** Future.abort() once `signal` fires (at once if it has); the listener goes when the future is done. */
export function abortOnSignal(future: Future<unknown>, signal: AbortSignal, graceMs: number | undefined): void {
  const abort = (): void => void future.abort({ graceMs }).catch(() => {});
  if (signal.aborted) return abort();
  signal.addEventListener('abort', abort, { once: true });
  future.addDoneCallback(() => signal.removeEventListener('abort', abort));
}

/** Whether `future` is done within `ms` (Infinity: waits as long as it takes). */
export function settlesWithin(future: Future<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (future.done()) return resolve(true);
    const timer =
      ms === Infinity
        ? undefined
        : setTimeout(() => {
            unlisten();
            resolve(false);
          }, ms);
    const unlisten = internals.listen(future, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
