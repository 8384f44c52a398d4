// A child killed with SIGKILL in the middle of a task: every future that was running or waiting
// fails with BrokenProcessPool (carrying the signal) within 2 s, the pool takes no more work, and
// shutdown() does not hang.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenProcessPool, ProcessPoolExecutor } from 'gil-lab';
import { task, until } from './fixtures/executor-helpers.js';

describe('a child killed mid-task', () => {
  it('breaks the pool: running and queued futures fail with BrokenProcessPool', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    const running = pool.submit(task('blockFor'), 30_000);
    const other = pool.submit(task('blockFor'), 30_000);
    await until(() => running.running() && other.running(), 10_000, 'both tasks to start');
    const queued = pool.submit(task('add'), 1, 2);
    const pids = pool.stats().workers.map((w) => w.pid);
    assert.equal(pids.length, 2);

    const killedAt = performance.now();
    process.kill(pids[0]!, 'SIGKILL');
    const results = await Promise.allSettled([running, other, queued]);
    const elapsedMs = performance.now() - killedAt;
    assert.ok(elapsedMs < 2000, `futures failed after ${elapsedMs.toFixed(0)} ms`);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const error = (r as PromiseRejectedResult).reason as BrokenProcessPool;
      assert.ok(error instanceof BrokenProcessPool, String(error));
      assert.equal(error.signal, 'SIGKILL');
      assert.equal(error.pid, pids[0]);
      assert.match(error.message, /SIGKILL/);
    }
    assert.equal(pool.broken, true);
    assert.throws(() => pool.submit(task('add'), 1, 2), BrokenProcessPool);
    await pool.shutdown(); // resolves: the other child was killed with the pool
    assert.equal(pool.stats().workers.length, 0);
  });

  it('a child that exits by itself breaks the pool with its exit code', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(task('exitNow'), 3);
    await assert.rejects(f, (error: BrokenProcessPool) => {
      assert.ok(error instanceof BrokenProcessPool);
      assert.equal(error.exitCode, 3);
      assert.equal(error.signal, null);
      return true;
    });
    await pool.shutdown();
  });
});
