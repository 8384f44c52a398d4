// cancel(): true only for a task that has not started (queued in the executor, or already sent to
// a worker but not begun), false once it runs or is done — as Python's Future.cancel().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task, until } from './fixtures/executor-helpers.js';

for (const [name, make] of [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 1 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
] as const) {
  describe(`cancel (${name})`, () => {
    it('cancels tasks that have not started, never the running one', async () => {
      const pool = make();
      try {
        const running = pool.submit(task('blockFor'), 600);
        // Sent in the same batch as `running` (pipelining), but not started: still cancellable.
        const sent = pool.submit(task('add'), 1, 1);
        const kept = pool.submit(task('add'), 2, 2);
        await until(() => running.running(), 10_000, 'the first task to start');
        const queued = pool.submit(task('add'), 3, 3); // waits in the executor's own queue
        assert.equal(running.cancel(), false);
        assert.equal(running.cancelled(), false);
        assert.equal(sent.cancel(), true);
        assert.equal(sent.cancel(), true, 'cancelling twice is still true');
        assert.equal(queued.cancel(), true);
        assert.equal(sent.cancelled(), true);
        assert.equal(sent.done(), true);
        assert.equal(sent.running(), false);
        assert.equal(sent.state, 'cancelled');

        let calledWith: Future<unknown> | undefined;
        const late = pool.submit(task('add'), 5, 5);
        late.addDoneCallback((f) => (calledWith = f));
        assert.equal(late.cancel(), true);
        assert.equal(calledWith, late, 'done callbacks run on cancel');

        await assert.rejects(sent, CancelledError);
        await assert.rejects(sent.result(), CancelledError);
        await assert.rejects(sent.exception(), CancelledError);
        assert.equal(await running, 600);
        assert.equal(await kept, 4);
        assert.equal(running.cancel(), false, 'a finished task cannot be cancelled');
        assert.equal(running.state, 'finished');
        const stats = pool.stats();
        assert.equal(stats.tasksCancelled, 3);
        assert.equal(stats.tasksCompleted, 2);
      } finally {
        await pool.shutdown();
      }
    });
  });
}

describe('Future without an executor', () => {
  it('can only be cancelled, and reports its state', async () => {
    const f = new Future<number>();
    assert.equal(f.state, 'pending');
    assert.equal(f.done(), false);
    assert.equal(f.cancel(), true);
    await assert.rejects(f, CancelledError);
    assert.throws(() => f.addDoneCallback(42 as never), TypeError);
    assert.throws(() => f.result({ timeoutMs: -5 }), RangeError);
    assert.throws(() => f.exception({ timeoutMs: Number.NaN }), TypeError);
  });
});
