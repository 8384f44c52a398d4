// Future.abort(): a task that has not started is cancelled; a running one is asked to stop (its
// abort flag, its AbortSignal) and, if it does not within the grace period, its worker is
// terminated or killed and replaced while the other tasks go on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task, until } from './fixtures/executor-helpers.js';

for (const [name, make] of [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 1 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
] as const) {
  describe(`abort (${name})`, () => {
    it('stops a task that polls its abort flag: cooperative', async () => {
      const pool = make();
      try {
        const f = pool.submit(task('spinUntilAborted'), 20_000);
        await until(() => f.running(), 10_000, 'the task to start');
        assert.equal(await f.abort({ graceMs: 10_000 }), 'cooperative');
        await assert.rejects(f, { name: 'AbortError' });
        assert.equal(await pool.submit(task('add'), 1, 2), 3, 'same worker, still serving');
        assert.equal(pool.stats().workersStarted, 1);
        assert.equal(pool.stats().tasksAborted, 1);
      } finally {
        await pool.shutdown();
      }
    });

    it('ends the worker of a task that ignores it: forced, and the queue goes on', async () => {
      const pool = make();
      try {
        const stuck = pool.submit(task('blockFor'), 30_000);
        const next = pool.submit(task('add'), 2, 3); // sent with `stuck`, not started
        await until(() => stuck.running(), 10_000, 'the task to start');
        assert.equal(await stuck.abort({ graceMs: 50 }), 'forced');
        await assert.rejects(
          stuck,
          (e: Error) => e instanceof AbortError && /did not stop within 50 ms/.test(e.message),
        );
        assert.equal(await next, 5, 'the unstarted task ran on a fresh worker');
        assert.equal(pool.broken, false);
        assert.equal(pool.stats().workersStarted, 2);
      } finally {
        await pool.shutdown();
      }
    });

    it('cancels a task that has not started, and leaves a finished one', async () => {
      const pool = make();
      try {
        const first = pool.submit(task('sleep'), 100, 'first');
        await until(() => first.running(), 10_000, 'the task to start');
        const waiting = pool.submit(task('add'), 1, 1);
        assert.equal(await waiting.abort(), 'cancelled');
        assert.equal(waiting.cancelled(), true);
        assert.equal(await first, 'first');
        assert.equal(await first.abort(), 'finished');
      } finally {
        await pool.shutdown();
      }
    });
  });
}

describe('abort of an asynchronous task', () => {
  it('fires its AbortSignal', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const f = pool.submit(task('waitForAbortSignal'));
      await until(() => f.running(), 10_000, 'the task to start');
      assert.equal(await f.abort({ graceMs: 10_000 }), 'cooperative');
      await assert.rejects(f, { name: 'AbortError' });
    } finally {
      await pool.shutdown();
    }
  });
});
