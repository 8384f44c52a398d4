// Promise reactions a task leaves behind (a `.then()` it does not return) run before the worker
// starts its next task, as they would between two messages in any worker. Before, a task that
// arrived while the worker polled, or the next task of the same batch, ran on the same stack as
// the one before it, and saw the state as it was before those reactions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor, type ExecutorOptions } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

const pools = [
  ['threads', (o: ExecutorOptions) => new ThreadPoolExecutor(o)],
  ['processes', (o: ExecutorOptions) => new ProcessPoolExecutor(o)],
] as const;

describe("a task's promise reactions run before the worker's next task", () => {
  for (const [name, make] of pools) {
    for (const idleSpinUs of [0, 100]) {
      it(`${name}, idleSpinUs ${idleSpinUs}: one at a time and in one batch`, async () => {
        const pool = make({ maxWorkers: 1, idleSpinUs });
        try {
          await pool.submit(task('readLaterCount'));
          let stale = 0;
          for (let i = 0; i < 50; i++) {
            const before = await pool.submit<number>(task('bumpLater'));
            const after = await pool.submit(task('readLaterCount'));
            if (after !== before + 1) stale++;
          }
          assert.equal(stale, 0, 'awaited one at a time: reads that missed the reaction');
          for (let i = 0; i < 10; i++) {
            const [before, after] = await Promise.all([
              pool.submit<number>(task('bumpLater')),
              pool.submit(task('readLaterCount')),
            ]);
            assert.equal(after, before + 1, 'the next task of the same batch sees the reaction');
          }
        } finally {
          await pool.shutdown();
        }
      });
    }
  }
});
