// A worker thread that dies (process.exit in a task, an uncaught error) breaks the pool: its
// futures and the queued ones fail with BrokenThreadPool carrying the exit code and the error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenThreadPool, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('a worker thread that dies', () => {
  it('process.exit(3) in a task: BrokenThreadPool with exit code 3 for it and the queue', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, pipelineDepth: 1 });
    const dying = pool.submit(task('exitNow'), 3);
    const queued = pool.submit(task('add'), 1, 2);
    for (const f of [dying, queued]) {
      await assert.rejects(f, (e: BrokenThreadPool) => {
        assert.ok(e instanceof BrokenThreadPool);
        assert.equal(e.exitCode, 3);
        assert.match(e.message, /exited with code 3/);
        return true;
      });
    }
    assert.throws(() => pool.submit(task('add'), 1, 2), BrokenThreadPool);
    await pool.shutdown();
  });

  it('an uncaught error: BrokenThreadPool whose cause is that error', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await pool.submit(task('throwLater'), 'timer blew up'), 'scheduled');
    const next = pool.submit(task('sleep'), 1000, 'never');
    await assert.rejects(next, (e: BrokenThreadPool) => {
      assert.ok(e instanceof BrokenThreadPool);
      assert.equal((e.cause as Error).message, 'timer blew up');
      return true;
    });
    await pool.shutdown();
  });
});
