// maxTasksPerChild: a child exits after that many tasks and a fresh one takes over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('maxTasksPerChild', () => {
  it('recycles children', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 2 });
    try {
      const where = await Promise.all(Array.from({ length: 6 }, () => pool.submit<{ pid: number }>(task('whereAmI'))));
      const pids = where.map((w) => w.pid);
      assert.equal(new Set(pids).size, 3, `pids ${pids.join(', ')}`);
      // Two consecutive tasks per child.
      assert.equal(pids[0], pids[1]);
      assert.equal(pids[2], pids[3]);
      assert.equal(pids[4], pids[5]);
      assert.ok(!pids.includes(process.pid));
      assert.equal(pool.stats().workersStarted, 3);
    } finally {
      await pool.shutdown();
    }
    assert.equal(pool.stats().workersExited, 3);
  });

  it('rejects a non-positive or fractional value', () => {
    assert.throws(() => new ProcessPoolExecutor({ maxTasksPerChild: 0 }), RangeError);
    assert.throws(() => new ProcessPoolExecutor({ maxTasksPerChild: 2.5 }), RangeError);
  });
});
