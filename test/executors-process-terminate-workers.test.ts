// ProcessPoolExecutor.terminateWorkers() / killWorkers() (Python 3.14's terminate_workers and
// kill_workers): every child ends now (SIGTERM / SIGKILL), the pool shuts down, a running task
// fails with BrokenProcessPool saying so, a queued one is cancelled, and shutdown() settles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenProcessPool, CancelledError, ProcessPoolExecutor } from 'gil-lab';
import { within } from './fixtures/fault-helpers.js';
import { processAlive as alive, task, until } from './fixtures/executor-helpers.js';

describe('ProcessPoolExecutor.terminateWorkers() / killWorkers()', () => {
  for (const [method, signal] of [
    ['terminateWorkers', 'SIGTERM'],
    ['killWorkers', 'SIGKILL'],
  ] as const) {
    it(`${method}(): the children end with ${signal}, running tasks fail, queued ones are cancelled`, async () => {
      const pool = new ProcessPoolExecutor({ maxWorkers: 2, pipelineDepth: 1 });
      const running = [pool.submit(task('blockFor'), 30_000), pool.submit(task('sleep'), 30_000, 'never')];
      const queued = pool.submit(task('add'), 1, 2);
      await until(() => running.every((f) => f.running()), 10_000, 'both tasks to start');
      const pids = pool.stats().workers.map((w) => w.pid!);
      pool[method]();
      for (const f of running) {
        await assert.rejects(within(Promise.resolve(f), 10_000, 'a running task'), (error: BrokenProcessPool) => {
          assert.ok(error instanceof BrokenProcessPool);
          assert.match(error.message, new RegExp(`${method}\\(\\)`));
          assert.equal(error.signal, signal);
          return true;
        });
      }
      await assert.rejects(queued, CancelledError);
      await within(pool.shutdown(), 10_000, 'shutdown()');
      assert.deepEqual(pids.filter(alive), [], 'every child has ended');
      assert.throws(() => pool.submit(task('add'), 1, 1));
      assert.equal(pool.stats().workers.length, 0);
    });
  }

  it('on an idle pool, or twice, it is harmless', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.equal(await pool.submit(task('add'), 1, 2), 3);
    pool.terminateWorkers();
    pool.killWorkers();
    await within(pool.shutdown(), 10_000, 'shutdown()');
  });
});
