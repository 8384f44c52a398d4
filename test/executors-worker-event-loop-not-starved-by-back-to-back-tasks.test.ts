// A worker fed one small task right after another (a loop of awaited submits) runs each as it
// arrives while it polls (idleSpinUs), without going back to its event loop. It must still go back
// at least every few milliseconds: a timer, I/O or other asynchronous work a task left behind
// needs that loop, and used to wait until a round trip happened to outlast the polling window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor, type ExecutorOptions } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

const pools = [
  ['threads', (o: ExecutorOptions) => new ThreadPoolExecutor(o)],
  ['processes', (o: ExecutorOptions) => new ProcessPoolExecutor(o)],
] as const;

/** Far longer than the worker's idle budget (10 ms): only a worker that never leaves its polling loop misses it. */
const DEADLINE_MS = 1000;

describe('a worker busy with back-to-back tasks still runs its event loop', () => {
  for (const [name, make] of pools) {
    for (const idleSpinUs of [100, 10_000]) {
      it(`${name}, idleSpinUs ${idleSpinUs}: a timer a task set fires while the next tasks keep coming`, async () => {
        const pool = make({ maxWorkers: 1, idleSpinUs });
        try {
          assert.equal(await pool.submit(task('startTimer'), 1), true);
          const start = Date.now();
          let fired = false;
          let roundTrips = 0;
          while (!fired && Date.now() - start < DEADLINE_MS) {
            fired = (await pool.submit(task('hasTimerFired'))) as boolean;
            roundTrips++;
          }
          assert.ok(fired, `the worker's 1 ms timer had not fired after ${roundTrips} back-to-back tasks`);
        } finally {
          await pool.shutdown();
        }
      });
    }
  }
});
