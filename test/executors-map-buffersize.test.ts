// Regressions of map(): it read the whole input before yielding anything (an endless generator ran
// the program out of memory; an endless async generator starved the event loop first), and
// `spread: true` with a bad item at position k threw from map() itself, leaving items 0..k-1
// running with nobody to report them to. Now: `buffersize` (Python 3.14) bounds what is submitted
// and not yet yielded; an async iterable is read without starving the event loop; a bad item is
// reported at its position, after the results before it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ThreadPoolExecutor, ProcessPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

/** Reading this far ahead of the consumer means map() ignored buffersize (the old code read everything). */
const READ_AHEAD_LIMIT = 10_000;

describe('map(): buffersize, a responsive event loop, bad items reported in place', () => {
  const threads = new ThreadPoolExecutor({ maxWorkers: 2 });
  const processes = new ProcessPoolExecutor({ maxWorkers: 2 });
  after(async () => {
    await threads.shutdown();
    await processes.shutdown();
  });

  for (const [kind, pool] of [
    ['threads', threads],
    ['processes', processes],
  ] as const) {
    for (const source of ['sync', 'async'] as const) {
      it(`an endless ${source} generator with buffersize: take 10, then return (${kind})`, async () => {
        const buffersize = 4;
        let taken = 0;
        let mostAhead = 0;
        let closed = false;
        const check = (i: number): void => {
          if (i > READ_AHEAD_LIMIT) throw new Error(`map() read ${i} items with ${taken} taken`);
          mostAhead = Math.max(mostAhead, i + 1 - taken);
        };
        function* naturals(): Generator<number> {
          try {
            for (let i = 0; ; i++) {
              check(i);
              yield i;
            }
          } finally {
            closed = true;
          }
        }
        async function* asyncNaturals(): AsyncGenerator<number> {
          try {
            for (let i = 0; ; i++) {
              check(i);
              yield i;
            }
          } finally {
            closed = true;
          }
        }
        const before = pool.stats().tasksSubmitted;
        const got: number[] = [];
        for await (const v of pool.map<number>(task('square'), source === 'sync' ? naturals() : asyncNaturals(), {
          buffersize,
        })) {
          got.push(v);
          taken++;
          if (got.length === 10) break;
        }
        assert.deepEqual(
          got,
          Array.from({ length: 10 }, (_, i) => i * i),
        );
        assert.ok(mostAhead <= buffersize, `${mostAhead} items were submitted and not yet yielded`);
        assert.ok(pool.stats().tasksSubmitted - before <= 10 + buffersize);
        assert.ok(closed, 'the source was closed when the iteration stopped');
      });
    }

    it(`buffersize with chunksize: each chunk counts as one task (${kind})`, async () => {
      const input = Array.from({ length: 40 }, (_, i) => i);
      const results: number[] = [];
      for await (const v of pool.map<number>(task('square'), input, { buffersize: 2, chunksize: 3 })) results.push(v);
      assert.deepEqual(
        results,
        input.map((x) => x * x),
      );
    });
  }

  it('a timer fires while map() reads a long async iterable (no buffersize)', async () => {
    const total = 100_000;
    let read = 0;
    let readWhenTimerFired: number | undefined;
    async function* many(): AsyncGenerator<number> {
      for (let i = 0; i < total; i++) {
        read++;
        yield i;
      }
    }
    setTimeout(() => (readWhenTimerFired = read), 0);
    let count = 0;
    let sum = 0;
    for await (const v of threads.map<number>(task('echo'), many(), { chunksize: 1000 })) {
      count++;
      sum += v;
    }
    assert.equal(count, total);
    assert.equal(sum, (total * (total - 1)) / 2);
    assert.ok(readWhenTimerFired !== undefined, 'the timer fired');
    assert.ok(readWhenTimerFired < total, `the timer fired only after all ${total} items were read`);
  });

  it('spread: a bad item at position k is reported there, after the results of items 0..k-1', async () => {
    const before = threads.stats().tasksSubmitted;
    const seen: unknown[] = [];
    await assert.rejects(
      async () => {
        for await (const v of threads.map(task('sleep'), [[30, 'a'], [10, 'b'], 'not an array', [1, 'd']], {
          spread: true,
        }))
          seen.push(v);
      },
      (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /item 2\b/);
        return true;
      },
    );
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(threads.stats().tasksSubmitted - before, 2, 'nothing after the bad item was submitted');
  });

  it('spread with chunksize: the chunk before the bad item is reported, then the error', async () => {
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const v of threads.map(task('add'), [[1, 2], [3, 4], [5, 6], 7, [8, 9]], {
        spread: true,
        chunksize: 2,
      }))
        seen.push(v);
    }, TypeError);
    assert.deepEqual(seen, [3, 7, 11]);
  });

  it('an error thrown by the source is reported at its position, after the results before it', async () => {
    function* failing(): Generator<number> {
      yield 1;
      yield 2;
      throw new RangeError('source failed');
    }
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const v of threads.map(task('square'), failing())) seen.push(v);
    }, /source failed/);
    assert.deepEqual(seen, [1, 4]);
  });

  it('rejects a bad buffersize, naming the option', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity]) {
      assert.throws(() => threads.map(task('square'), [1], { buffersize: bad }), {
        name: 'RangeError',
        message: /options\.buffersize/,
      });
    }
    assert.throws(() => threads.map(task('square'), [1], { buffersize: '2' as never }), {
      name: 'TypeError',
      message: /options\.buffersize/,
    });
  });
});
