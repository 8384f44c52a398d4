// Timeouts: result()/exception() reject with TimeoutError and the task goes on; map() times out
// from the moment it was called.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor, TimeoutError } from 'gil-lab';
import { collect, task } from './fixtures/executor-helpers.js';

describe('timeouts', () => {
  const threads = new ThreadPoolExecutor({ maxWorkers: 2 });
  const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
  before(async () => {
    await threads.start();
    await processes.start();
  });
  after(async () => {
    await threads.shutdown();
    await processes.shutdown();
  });

  for (const [name, pool] of [
    ['threads', threads],
    ['processes', processes],
  ] as const) {
    it(`result({ timeoutMs }) rejects with TimeoutError, the task goes on (${name})`, async () => {
      const f = pool.submit(task('sleep'), 200, 'late');
      await assert.rejects(f.result({ timeoutMs: 20 }), TimeoutError);
      await assert.rejects(f.exception({ timeoutMs: 5 }), TimeoutError);
      assert.equal(f.done(), false);
      assert.equal(await f.result({ timeoutMs: 10_000 }), 'late');
      assert.equal(await f.exception({ timeoutMs: 0 }), undefined);
    });
  }

  it('exception() gives the error of a failed task', async () => {
    const f = threads.submit(task('rejectAsync'), 'nope');
    const error = await f.exception({ timeoutMs: 10_000 });
    assert.ok(error instanceof TypeError);
    assert.equal((error as Error).message, 'nope');
  });

  it('map({ timeoutMs }) throws TimeoutError when a result is late, then cancels the rest', async () => {
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const v of threads.map(
        task('sleep'),
        [
          [1, 'quick'],
          [500, 'slow'],
        ],
        { spread: true, timeoutMs: 100 },
      )) {
        seen.push(v);
      }
    }, TimeoutError);
    assert.deepEqual(seen, ['quick']);
    assert.deepEqual(await collect(threads.map(task('square'), [2, 3], { timeoutMs: 10_000 })), [4, 9]);
  });
});
