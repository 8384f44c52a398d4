// wait() and asCompleted(): Python's concurrent.futures.wait / as_completed over Futures.

import { TimeoutError } from './errors.js';
import { checkTimeout, Future, futureInternals } from './future.js';

export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED';
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';

/**
 * A Future as asCompleted() yields it: the Future itself at run time, typed without then/catch/finally
 * because TypeScript types `for await (const f of ...)` as the awaited value of each element, which
 * for a thenable would be its result rather than the Future.
 */
export type CompletedFuture<T> = Omit<Future<T>, 'then' | 'catch' | 'finally'>;

export interface WaitResult<T> {
  done: Set<Future<T>>;
  notDone: Set<Future<T>>;
}

function collectFutures<T>(futures: Iterable<Future<T>>, argName: string): Set<Future<T>> {
  if (
    futures === null ||
    typeof futures !== 'object' ||
    typeof (futures as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`${argName} must be an iterable of Futures`);
  }
  const set = new Set<Future<T>>();
  let index = 0;
  for (const f of futures) {
    if (!(f instanceof Future)) throw new TypeError(`${argName}[${index}] is not a Future`);
    set.add(f);
    index++;
  }
  return set;
}

/** Whether a done future failed (a cancelled one did not). */
function finishedWithError(f: Future<unknown>): Promise<boolean> {
  if (f.cancelled()) return Promise.resolve(false);
  return f.exception().then(
    (e) => e !== undefined,
    () => false,
  );
}

/**
 * Wait until returnWhen holds (default ALL_COMPLETED) or timeoutMs passes; never rejects on
 * timeout — the futures not done are in notDone, as in Python.
 */
export async function wait<T>(
  futures: Iterable<Future<T>>,
  options: { timeoutMs?: number; returnWhen?: ReturnWhen } = {},
): Promise<WaitResult<T>> {
  const all = collectFutures(futures, 'futures');
  const timeoutMs = checkTimeout(options?.timeoutMs, 'options.timeoutMs');
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(
      `options.returnWhen must be 'FIRST_COMPLETED', 'FIRST_EXCEPTION' or 'ALL_COMPLETED', got ${String(returnWhen)}`,
    );
  }
  const partition = (): WaitResult<T> => {
    const done = new Set<Future<T>>();
    const notDone = new Set<Future<T>>();
    for (const f of all) (f.done() ? done : notDone).add(f);
    return { done, notDone };
  };

  // Done-ness is synchronous; whether a done future failed is read through exception() (a microtask).
  const satisfied = async (): Promise<boolean> => {
    const { done, notDone } = partition();
    if (notDone.size === 0) return true;
    if (returnWhen === FIRST_COMPLETED) return done.size > 0;
    if (returnWhen === FIRST_EXCEPTION) {
      for (const f of done) if (await finishedWithError(f as Future<unknown>)) return true;
    }
    return false;
  };
  if (await satisfied()) return partition();

  const internals = futureInternals();
  await new Promise<void>((resolve) => {
    const unlisteners: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const u of unlisteners) u();
      resolve();
    };
    const onDone = (f: Future<T>): void => {
      if (finished) return;
      if (returnWhen === FIRST_COMPLETED) return finish();
      if (returnWhen === FIRST_EXCEPTION) {
        void finishedWithError(f as Future<unknown>).then((failed) => {
          if (failed || [...all].every((g) => g.done())) finish();
        });
        return;
      }
      if ([...all].every((g) => g.done())) finish();
    };
    for (const f of all) {
      if (!f.done()) unlisteners.push(internals.listen(f as Future<unknown>, () => onDone(f)));
    }
    if (timeoutMs !== undefined) timer = setTimeout(finish, timeoutMs);
  });
  return partition();
}

/**
 * Yields the futures as they complete (finished or cancelled): those already done first. If
 * timeoutMs passes (counted from the call) before all are done, the iteration throws TimeoutError.
 */
export function asCompleted<T>(
  futures: Iterable<Future<T>>,
  options: { timeoutMs?: number } = {},
): AsyncIterableIterator<CompletedFuture<T>> {
  const all = collectFutures(futures, 'futures');
  const timeoutMs = checkTimeout(options?.timeoutMs, 'options.timeoutMs');
  const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  const internals = futureInternals();

  const ready: Future<T>[] = [];
  const pending = new Set<Future<T>>();
  for (const f of all) {
    if (f.done()) ready.push(f);
    else pending.add(f);
  }
  let wake: (() => void) | undefined;
  const unlisteners = [...pending].map((f) =>
    internals.listen(f as Future<unknown>, () => {
      pending.delete(f);
      ready.push(f);
      wake?.();
    }),
  );
  const cleanup = (): void => {
    for (const u of unlisteners) u();
  };

  // A hand-written iterator: an async generator would await each yielded Future (it is a thenable)
  // and yield its value instead of the Future.
  let finished = false;
  const finish = (): void => {
    finished = true;
    cleanup();
  };
  const iterator: AsyncIterableIterator<CompletedFuture<T>> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next(): Promise<IteratorResult<CompletedFuture<T>>> {
      if (finished) return { value: undefined, done: true };
      if (ready.length === 0 && pending.size > 0) {
        try {
          await new Promise<void>((resolve, reject) => {
            let timer: NodeJS.Timeout | undefined;
            wake = () => {
              wake = undefined;
              if (timer !== undefined) clearTimeout(timer);
              resolve();
            };
            if (deadline !== undefined) {
              timer = setTimeout(
                () => {
                  wake = undefined;
                  reject(new TimeoutError(`${pending.size} (of ${all.size}) futures unfinished after ${timeoutMs} ms`));
                },
                Math.max(0, deadline - performance.now()),
              );
            }
          });
        } catch (error) {
          finish();
          throw error;
        }
      }
      const next = ready.shift();
      if (next === undefined) {
        finish();
        return { value: undefined, done: true };
      }
      return { value: next, done: false };
    },
    async return(): Promise<IteratorResult<CompletedFuture<T>>> {
      finish();
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
