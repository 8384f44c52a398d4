// Executor.map(), built on submit as Python's concurrent.futures.Executor.map is: it turns an
// iterable (sync or async) into submissions of one item, or of a chunk of items, and yields the
// results in input order.
//
// Reading the input:
//  - with `buffersize` (Python 3.14): lazily, so that at most `buffersize` tasks are submitted and
//    not yet yielded; an endless generator works, and stopping the iteration closes it;
//  - without, eagerly as Python does: a sync iterable is read to its end by map() itself; an async
//    iterable is read in the background, giving the event loop a turn every READ_YIELD_EVERY items
//    (an async generator that never waits on I/O would otherwise run on microtasks alone).
// A bad item (spread: not an array) or an error thrown by the input is reported at its position,
// after the results of the items before it, and nothing after it is read or submitted.

import { checkTimeout, type Future } from './future.js';
import { TimeoutError } from './errors.js';
import { FLAG_CHUNK, FLAG_SPREAD } from './protocol.js';
import { WorkQueue } from './queue.js';
import { checkBoolean, checkPositiveInteger } from './checks.js';

export interface MapOptions {
  /** Items per task (one message, one call per item in the worker); default 1. */
  chunksize?: number;
  /** Counted from the call: if a result is not ready by then, the iteration throws TimeoutError. */
  timeoutMs?: number;
  /** Spread each item (an array) into the task's arguments, as Python's starmap. Default false. */
  spread?: boolean;
  /**
   * At most this many tasks (items, or chunks of `chunksize` items) submitted and not yet yielded;
   * the input is read as results are consumed (Python 3.14's buffersize). Default: no bound, the
   * whole input is read at once.
   */
  buffersize?: number;
}

/** What map() needs from its executor: submit one task's arguments (throws if the pool is closed). */
export type MapSubmit = (args: unknown[], flags: number) => Future<unknown>;

/** The async event loop gets a turn after this many items read from an async iterable without buffersize. */
const READ_YIELD_EVERY = 128;

interface CheckedMapOptions {
  chunksize: number;
  timeoutMs: number | undefined;
  spread: boolean;
  buffersize: number | undefined;
}

function checkMapOptions(options: unknown): CheckedMapOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const o = options as MapOptions;
  return {
    chunksize: o.chunksize === undefined ? 1 : checkPositiveInteger(o.chunksize, 'options.chunksize'),
    timeoutMs: checkTimeout(o.timeoutMs, 'options.timeoutMs'),
    spread: checkBoolean(o.spread, 'options.spread', false),
    buffersize: o.buffersize === undefined ? undefined : checkPositiveInteger(o.buffersize, 'options.buffersize'),
  };
}

type Source = { sync: true; iterator: Iterator<unknown> } | { sync: false; iterator: AsyncIterator<unknown> };

function openSource(iterable: unknown): Source {
  if (iterable !== null && iterable !== undefined) {
    const sync = (iterable as Iterable<unknown>)[Symbol.iterator];
    if (typeof sync === 'function') return { sync: true, iterator: sync.call(iterable) as Iterator<unknown> };
    const async = (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator];
    if (typeof async === 'function') return { sync: false, iterator: async.call(iterable) as AsyncIterator<unknown> };
  }
  throw new TypeError('iterable must be an iterable or an async iterable');
}

interface Submitted {
  future: Future<unknown>;
  chunked: boolean;
}

/**
 * task(item) for every item of `iterable`, as an async iterable of the results in input order.
 * `submit` is the executor's submit with the task already bound. Options are checked first, then
 * the iterable, before anything is read.
 */
export function mapOverSubmit<T>(submit: MapSubmit, iterable: unknown, options: unknown): AsyncIterableIterator<T> {
  const { chunksize, timeoutMs, spread, buffersize } = checkMapOptions(options);
  const source = openSource(iterable);
  const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;

  const submitted = new WorkQueue<Submitted>();
  let chunk: unknown[] = [];
  let position = 0;
  /** Reading stopped: the input ended, failed, or had a bad item. */
  let sourceDone = false;
  /** What to throw once every result before it has been yielded. */
  let failure: { error: unknown } | undefined;
  /** The consumer stopped iterating: the background reader stops too. */
  let stopped = false;
  let wake: (() => void) | undefined;

  const submitChunk = (): void => {
    if (chunk.length === 0) return;
    const items = chunk;
    chunk = [];
    const future =
      chunksize === 1
        ? submit(spread ? [...(items[0] as unknown[])] : items, 0)
        : submit([items], FLAG_CHUNK | (spread ? FLAG_SPREAD : 0));
    submitted.push({ future, chunked: chunksize > 1 });
    wake?.();
  };
  /** Input over (error: failed, or a bad item): what was read goes out, then nothing more. */
  const finish = (error?: { error: unknown }): void => {
    if (sourceDone) return;
    sourceDone = true;
    try {
      submitChunk();
    } catch (submitError) {
      error ??= { error: submitError };
    }
    failure ??= error;
    wake?.();
  };
  /** Takes one item; false once reading must stop. */
  const accept = (item: unknown): boolean => {
    if (spread && !Array.isArray(item)) {
      finish({
        error: new TypeError(
          `map(..., { spread: true }): item ${position} must be an array of arguments, got ${item === null ? 'null' : typeof item}`,
        ),
      });
      return false;
    }
    position++;
    chunk.push(item);
    if (chunk.length < chunksize) return true;
    try {
      submitChunk();
      return true;
    } catch (error) {
      finish({ error }); // the pool was shut down or broke meanwhile
      return false;
    }
  };
  /** Reads until one task was submitted or the input is over. */
  const readOneTask = async (): Promise<void> => {
    const before = submitted.length;
    try {
      while (!sourceDone && submitted.length === before) {
        const next = source.sync ? source.iterator.next() : await source.iterator.next();
        if (next.done) finish();
        else accept(next.value);
      }
    } catch (error) {
      finish({ error });
    }
  };

  const readOneItem = async (): Promise<void> => {
    try {
      const next = await (source.iterator as AsyncIterator<unknown>).next();
      if (next.done) finish();
      else accept(next.value);
    } catch (error) {
      finish({ error });
    }
  };

  if (buffersize === undefined) {
    if (source.sync) {
      try {
        for (let next = source.iterator.next(); !next.done; next = source.iterator.next()) {
          if (!accept(next.value)) break;
        }
        finish();
      } catch (error) {
        finish({ error });
      }
    } else {
      void (async () => {
        let sinceTurn = 0;
        while (!sourceDone && !stopped) {
          await readOneItem();
          if (++sinceTurn >= READ_YIELD_EVERY) {
            sinceTurn = 0;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
      })();
    }
  }

  const timeoutError = (): TimeoutError => new TimeoutError(`map(): results not ready within ${timeoutMs} ms`);
  const resultOf = async (future: Future<unknown>): Promise<unknown> => {
    if (deadline === undefined) return await future;
    const left = deadline - performance.now();
    if (left <= 0 && !future.done()) throw timeoutError();
    try {
      return await future.result({ timeoutMs: Math.max(0, left) });
    } catch (error) {
      throw error instanceof TimeoutError ? timeoutError() : error;
    }
  };

  async function* results(): AsyncGenerator<T> {
    try {
      for (;;) {
        if (buffersize !== undefined) while (!sourceDone && submitted.length < buffersize) await readOneTask();
        const next = submitted.peek();
        if (next === undefined) {
          if (failure !== undefined) throw failure.error;
          if (sourceDone) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const value = await resultOf(next.future);
        submitted.shift(); // yielded from here on: no longer counts against buffersize
        if (next.chunked) for (const v of value as T[]) yield v;
        else yield value as T;
      }
    } finally {
      stopped = true;
      for (const { future } of submitted) future.cancel();
      submitted.clear();
      if (!sourceDone) {
        sourceDone = true;
        // Close the input (a generator's finally blocks run), as for-await does when left early.
        // The background reader of an async input may be inside next(): its return() is not awaited.
        try {
          const closing = source.iterator.return?.();
          if (buffersize !== undefined) await closing;
          else if (closing instanceof Promise) closing.catch(() => {});
        } catch {
          // an input whose return() throws: nothing more to read from it anyway
        }
      }
    }
  }
  return results();
}
