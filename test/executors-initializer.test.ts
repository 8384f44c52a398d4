// Initializers run once in every worker before its tasks; one that throws breaks the pool.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenProcessPool, BrokenThreadPool, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('initializer', () => {
  for (const [name, make] of [
    ['threads', (o: object) => new ThreadPoolExecutor({ maxWorkers: 2, ...o })],
    ['processes', (o: object) => new ProcessPoolExecutor({ maxWorkers: 2, ...o })],
  ] as const) {
    it(`runs in every worker before its tasks (${name})`, async () => {
      const pool = make({ initializer: task('initialize'), initializerArgs: ['ready'] });
      try {
        await pool.start();
        const seen = await Promise.all([pool.submit(task('readInitialized')), pool.submit(task('readInitialized'))]);
        assert.deepEqual(seen, ['ready', 'ready']);
      } finally {
        await pool.shutdown();
      }
    });
  }

  it('a failing initializer breaks a thread pool', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, initializer: task('failingInitializer') });
    const f = pool.submit(task('add'), 1, 2);
    await assert.rejects(f, (error: BrokenThreadPool) => {
      assert.ok(error instanceof BrokenThreadPool);
      assert.match(error.message, /initializer failed/);
      assert.equal((error.cause as Error).message, 'initializer exploded');
      return true;
    });
    assert.throws(() => pool.submit(task('add'), 1, 2), BrokenThreadPool);
    await pool.shutdown();
  });

  it('a failing initializer breaks a process pool; start() rejects', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1, initializer: task('failingInitializer') });
    await assert.rejects(pool.start(), BrokenProcessPool);
    assert.equal(pool.broken, true);
    await pool.shutdown();
  });

  it('a bad initializer is rejected at construction', () => {
    assert.throws(() => new ThreadPoolExecutor({ initializer: 'noSuchKernel' }), /initializer: unknown kernel/);
    assert.throws(() => new ThreadPoolExecutor({ initializer: { module: 'relative.js' } }), TypeError);
    assert.throws(() => new ThreadPoolExecutor({ initializerArgs: [1] }), TypeError);
  });
});
