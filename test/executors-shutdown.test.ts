// shutdown(): wait or not, cancelFutures, Symbol.asyncDispose; idle workers neither keep the
// process alive nor linger past idleTimeoutMs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CancelledError, ExecutorShutdownError, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task, until } from './fixtures/executor-helpers.js';

describe('shutdown', () => {
  it('wait: false returns at once; the submitted tasks still finish', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(task('sleep'), 100, 'done');
    await pool.shutdown({ wait: false });
    assert.equal(f.done(), false);
    assert.equal(await f, 'done');
  });

  it('cancelFutures: true cancels what has not started; the running task finishes', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const running = pool.submit(task('sleep'), 150, 'ran');
    await until(() => running.running(), 10_000, 'the task to start');
    const sent = pool.submit(task('add'), 1, 1);
    await pool.shutdown({ cancelFutures: true });
    assert.equal(await running, 'ran');
    await assert.rejects(sent, CancelledError);
    assert.equal(pool.stats().workers.length, 0, 'the children have exited');
  });

  it('Symbol.asyncDispose shuts the pool down (await using)', async () => {
    let outside: ThreadPoolExecutor;
    {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      outside = pool;
      assert.equal(await pool.submit(task('add'), 2, 2), 4);
    }
    assert.throws(() => outside.submit(task('add'), 1, 1), ExecutorShutdownError);
    assert.equal(outside.stats().workers.length, 0);
  });

  it('idle workers exit after idleTimeoutMs and start again on demand', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, idleTimeoutMs: 20 });
    try {
      assert.equal(await pool.submit(task('add'), 1, 1), 2);
      await until(() => pool.stats().workers.length === 0, 10_000, 'the idle worker to exit');
      assert.equal(await pool.submit(task('add'), 2, 2), 4);
      assert.equal(pool.stats().workersStarted, 2);
    } finally {
      await pool.shutdown();
    }
  });

  it('a program that never calls shutdown() still exits when its work is done', () => {
    const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const tasks = fileURLToPath(new URL('./fixtures/executor-tasks.js', import.meta.url));
    const script = `
      import { ThreadPoolExecutor, ProcessPoolExecutor } from ${JSON.stringify(index)};
      const t = new ThreadPoolExecutor({ maxWorkers: 2 });
      const p = new ProcessPoolExecutor({ maxWorkers: 1 });
      const task = { module: ${JSON.stringify(tasks)}, export: 'add' };
      console.log(await t.submit(task, 1, 2), await p.submit(task, 3, 4));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.error, undefined, 'it exited by itself');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '3 7');
  });
});
