// submitWith({ signal }, task, ...args): an AbortSignal given at submission, in one call (as
// piscina's run(x, { signal })). Aborting it cancels a task that has not started and aborts a
// running one, as Future.abort() does; a signal already aborted gives a cancelled future.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task, until } from './fixtures/executor-helpers.js';

for (const [name, make] of [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 1, pipelineDepth: 1 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 1, pipelineDepth: 1 })],
] as const) {
  describe(`submitWith({ signal }) (${name})`, () => {
    it('aborting the signal cancels a task that has not started', async () => {
      const pool = make();
      try {
        const first = pool.submit(task('sleep'), 200, 'first');
        const controller = new AbortController();
        const waiting = pool.submitWith({ signal: controller.signal }, task('add'), 1, 2);
        controller.abort();
        await assert.rejects(waiting, CancelledError);
        assert.equal(waiting.cancelled(), true);
        assert.equal(await first, 'first');
      } finally {
        await pool.shutdown();
      }
    });

    it('aborting the signal aborts a running task', async () => {
      const pool = make();
      try {
        const controller = new AbortController();
        const running = pool.submitWith({ signal: controller.signal }, task('spinUntilAborted'), 20_000);
        await until(() => running.running(), 10_000, 'the task to start');
        controller.abort();
        await assert.rejects(running, { name: 'AbortError' });
        assert.equal(await pool.submit(task('add'), 2, 2), 4, 'the pool goes on');
      } finally {
        await pool.shutdown();
      }
    });

    it('a signal already aborted gives a cancelled future; aborting after the task is done changes nothing', async () => {
      const pool = make();
      try {
        const f = pool.submitWith({ signal: AbortSignal.abort() }, task('add'), 1, 1);
        await assert.rejects(f, CancelledError);
        const controller = new AbortController();
        const done = pool.submitWith({ signal: controller.signal }, task('add'), 3, 4);
        assert.equal(await done, 7);
        controller.abort();
        assert.equal(await done, 7);
        assert.equal(done.cancelled(), false);
      } finally {
        await pool.shutdown();
      }
    });

    it('bad options are refused, naming the option', () => {
      const pool = make();
      try {
        assert.throws(() => pool.submitWith({ signal: {} as AbortSignal }, task('add'), 1, 1), {
          name: 'TypeError',
          message: /options\.signal/,
        });
        assert.throws(() => pool.submitWith(null as never, task('add'), 1, 1), TypeError);
      } finally {
        void pool.shutdown();
      }
    });
  });
}
