// Lock models of the thread pool, asserted on lock statistics (not on timings): under 'shared'
// the workers' CPU-bound tasks contend for the one main-interpreter lock (drop requests, forced
// switches); under 'isolated' each worker has its own lock and nobody waits; 'free' takes none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interpreter, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

// Enough interpreted work (a few hundred ms) that two tasks overlap for many switch intervals.
const ITERATIONS = 30_000_000;

async function runTwo(pool: ThreadPoolExecutor): Promise<Array<{ interpreterId: number; held: boolean }>> {
  await pool.start();
  const infos = await Promise.all([pool.submit(task('lockInfo')), pool.submit(task('lockInfo'))]);
  await Promise.all([
    pool.submit(task('interpretedWork'), ITERATIONS),
    pool.submit(task('interpretedWork'), ITERATIONS),
  ]);
  return infos as Array<{ interpreterId: number; held: boolean }>;
}

describe('lock models', () => {
  it("'shared' serialises CPU-bound tasks on the main interpreter's lock", async () => {
    const main = Interpreter.main();
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'shared' });
    try {
      await pool.start();
      main.resetStats();
      const infos = await runTwo(pool);
      const stats = main.stats();
      assert.deepEqual(
        infos.map((i) => i.interpreterId),
        [main.id, main.id],
      );
      assert.ok(
        infos.every((i) => i.held),
        'a task runs holding the lock',
      );
      assert.ok(stats.contendedAcquisitions >= 1, `contended acquisitions: ${stats.contendedAcquisitions}`);
      assert.ok(stats.dropRequests >= 1, `drop requests: ${stats.dropRequests}`);
      assert.ok(stats.forcedSwitches >= 1, `forced switches: ${stats.forcedSwitches}`);
      assert.ok(stats.switches >= 2, `switches: ${stats.switches}`);
      assert.deepEqual(pool.interpreters(), [main]);
      // Idle workers have released it: this thread can take it.
      await main.acquireAsync();
      main.release();
    } finally {
      await pool.shutdown();
    }
  });

  it("'isolated' gives each worker its own lock: no waiting at all", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'isolated' });
    try {
      const infos = await runTwo(pool);
      const interpreters = pool.interpreters();
      assert.equal(interpreters.length, 2);
      assert.equal(new Set(infos.map((i) => i.interpreterId)).size, 2, 'two different interpreters');
      assert.ok(!infos.some((i) => i.interpreterId === Interpreter.main().id));
      for (const interpreter of interpreters) {
        const stats = interpreter.stats();
        assert.ok(stats.acquisitions >= 1);
        assert.equal(stats.contendedAcquisitions, 0);
        assert.equal(stats.dropRequests, 0);
        assert.equal(stats.forcedSwitches, 0);
      }
    } finally {
      await pool.shutdown();
    }
  });

  it("'free' runs the workers under one interpreter with policy 'none'", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'free' });
    try {
      const infos = await runTwo(pool);
      const [free] = pool.interpreters();
      assert.ok(free !== undefined);
      assert.equal(free.policy, 'none');
      assert.deepEqual(
        infos.map((i) => i.interpreterId),
        [free.id, free.id],
      );
      const stats = free.stats();
      assert.equal(stats.dropRequests, 0);
      assert.equal(stats.contendedAcquisitions, 0);
    } finally {
      await pool.shutdown();
    }
  });
});
