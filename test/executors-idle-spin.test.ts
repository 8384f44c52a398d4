// An idle worker polls for its next task (idleSpinUs) before it sleeps: a thread reads its port,
// a process reads its socket directly while the event loop also reads it. Whichever way a task
// arrives, at whatever moment, it runs once, in order, with its own arguments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor, type ExecutorOptions } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

const pools = [
  ['threads', (o: ExecutorOptions) => new ThreadPoolExecutor(o)],
  ['processes', (o: ExecutorOptions) => new ProcessPoolExecutor(o)],
] as const;

/** Arguments from a few bytes to past the process worker's 64 KiB read buffer, so frames split. */
function payload(i: number): number[] {
  const length = [1, 10, 3000, 20_000][i % 4]!;
  return Array.from({ length }, (_, k) => i * 7 + k);
}

describe('idle workers poll before they sleep (idleSpinUs)', () => {
  for (const [name, make] of pools) {
    it(`${name}: idleSpinUs is checked, naming the option`, () => {
      assert.throws(
        () => make({ idleSpinUs: '100' as never }),
        (e: Error) => e instanceof TypeError && /idleSpinUs must be a number/.test(e.message),
      );
      for (const bad of [-1, NaN, Infinity, 10_001]) {
        assert.throws(
          () => make({ idleSpinUs: bad }),
          (e: Error) => e instanceof RangeError && /idleSpinUs must be between 0 and 10000/.test(e.message),
          String(bad),
        );
      }
    });

    for (const idleSpinUs of [0, 100, 10_000]) {
      it(`${name}, idleSpinUs ${idleSpinUs}: awaited, overlapping and late tasks all come back right`, async () => {
        const pool = make({ maxWorkers: 2, idleSpinUs });
        try {
          // One at a time: the next task arrives while the worker polls (or sleeps, at 0).
          for (let i = 0; i < 60; i++) assert.deepEqual(await pool.submit(task('echo'), payload(i)), payload(i));
          // Bursts: several frames may arrive in one read, or one frame over several.
          for (let round = 0; round < 5; round++) {
            const ids = Array.from({ length: 24 }, (_, k) => round * 100 + k);
            const out = await Promise.all(ids.map((i) => pool.submit(task('echo'), payload(i))));
            out.forEach((value, k) => assert.deepEqual(value, payload(ids[k]!)));
          }
          // After the polling and the sleep budget (10 ms) run out: the task comes by the event loop.
          await new Promise((resolve) => setTimeout(resolve, 30));
          assert.equal(await pool.submit(task('add'), 2, 3), 5);
          // An asynchronous task in between: its continuation needs the worker's event loop.
          const late = pool.submit(task('sleep'), 20, 'late');
          assert.equal(await pool.submit(task('add'), 4, 5), 9);
          assert.equal(await late, 'late');
          assert.deepEqual(await pool.submit(task('echo'), payload(3)), payload(3));
        } finally {
          await pool.shutdown();
        }
      });
    }
  }
});
