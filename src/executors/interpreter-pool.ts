// InterpreterPoolExecutor (Python 3.14, PEP 734's concurrent.futures.InterpreterPoolExecutor): a
// pool of interpreters that each have their own lock (PEP 684's OWN_GIL), so CPU-bound tasks run in
// parallel in one process. Here: a ThreadPoolExecutor whose lock model is fixed at 'isolated' —
// every worker thread runs tasks under an interpreter of its own.
import { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from './thread-pool.js';

export type InterpreterPoolExecutorOptions = Omit<ThreadPoolExecutorOptions, 'lock'>;

/** What the pool runs, in words: for reports (cpu-bound's subinterpreters mode). */
export const INTERPRETER_POOL_LOCK_TEXT = 'one interpreter per worker, each with its own lock (PEP 684 OWN_GIL)';

export class InterpreterPoolExecutor extends ThreadPoolExecutor {
  constructor(options: InterpreterPoolExecutorOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('InterpreterPoolExecutor: options must be an object');
    }
    const lock = (options as { lock?: unknown }).lock;
    if (lock !== undefined && lock !== 'isolated') {
      throw new RangeError(
        `InterpreterPoolExecutor: lock is always 'isolated' (an own lock per interpreter), got ${JSON.stringify(lock)}; ` +
          "use ThreadPoolExecutor for 'shared' or 'free'",
      );
    }
    super({ ...options, lock: 'isolated' });
  }
}
