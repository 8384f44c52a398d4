// map(): results in input order whatever the completion order, with and without chunksize, for
// sync and async iterables, with spread; stopping early cancels the rest.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { collect, task } from './fixtures/executor-helpers.js';

describe('map', () => {
  const threads = new ThreadPoolExecutor({ maxWorkers: 2 });
  const processes = new ProcessPoolExecutor({ maxWorkers: 2 });
  after(async () => {
    await threads.shutdown();
    await processes.shutdown();
  });

  it('yields results in input order although later items finish first', async () => {
    // Item i sleeps (5 - i) * 10 ms and returns i: completion order is the reverse of input order.
    const items = [0, 1, 2, 3, 4].map((i) => [(5 - i) * 10, i]);
    const results = await collect(threads.map(task('sleep'), items, { spread: true }));
    assert.deepEqual(results, [0, 1, 2, 3, 4]);
  });

  for (const [name, pool] of [
    ['threads', threads],
    ['processes', processes],
  ] as const) {
    it(`chunksize groups items into fewer tasks, results still in order (${name})`, async () => {
      const before = pool.stats().tasksSubmitted;
      const input = Array.from({ length: 23 }, (_, i) => i);
      const results = await collect(pool.map<number>(task('square'), input, { chunksize: 5 }));
      assert.deepEqual(
        results,
        input.map((x) => x * x),
      );
      assert.equal(pool.stats().tasksSubmitted - before, 5); // ceil(23 / 5)
    });
  }

  it('takes async iterables and generators', async () => {
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield i;
      }
    }
    assert.deepEqual(await collect(threads.map(task('square'), numbers(), { chunksize: 4 })), [0, 1, 4, 9, 16, 25]);
    assert.deepEqual(
      await collect(
        threads.map(
          task('add'),
          [
            [1, 2],
            [3, 4],
          ],
          { spread: true, chunksize: 2 },
        ),
      ),
      [3, 7],
    );
  });

  it("throws the first failing item's error at its position", async () => {
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const v of threads.map(task('echo'), [1, 2, () => 3])) seen.push(v);
    }, TypeError);
    // The function argument cannot be cloned, so the third item fails; the first two came through.
    assert.deepEqual(seen, [1, 2]);
  });

  it('stopping the iteration early cancels the tasks that have not started', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, pipelineDepth: 1 });
    try {
      const iterator = pool.map(
        task('sleep'),
        [
          [20, 'a'],
          [20, 'b'],
          [20, 'c'],
          [20, 'd'],
        ],
        { spread: true },
      );
      assert.deepEqual(await iterator.next(), { value: 'a', done: false });
      await iterator.return?.(undefined);
      await pool.shutdown();
      const stats = pool.stats();
      assert.ok(stats.tasksCancelled >= 1, `cancelled ${stats.tasksCancelled}`);
      assert.equal(stats.tasksCompleted + stats.tasksCancelled, 4);
    } finally {
      await pool.shutdown();
    }
  });

  it('rejects bad options', () => {
    assert.throws(() => threads.map(task('square'), [1], { chunksize: 0 }), RangeError);
    assert.throws(() => threads.map(task('square'), [1], { chunksize: 1.5 }), RangeError);
    assert.throws(() => threads.map(task('square'), 5 as never), TypeError);
    assert.throws(() => threads.map(task('square'), [1], { timeoutMs: -1 }), RangeError);
  });
});
