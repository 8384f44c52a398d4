// Python 3.14 parity with what piscina users expect: onWorkerExit 'replace' — a worker that dies
// fails only the task it was running (BrokenThreadPool / BrokenProcessPool, with its exit code), its
// unstarted tasks go to the others or to its replacement, and the pool stays usable. The default
// stays Python's 'break': the whole pool is broken.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenProcessPool, BrokenThreadPool, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

const pools = [
  {
    name: 'ThreadPoolExecutor',
    make: (options: object) => new ThreadPoolExecutor({ lock: 'free', ...options }),
    Broken: BrokenThreadPool,
  },
  {
    name: 'ProcessPoolExecutor',
    make: (options: object) => new ProcessPoolExecutor(options),
    Broken: BrokenProcessPool,
  },
];

for (const { name, make, Broken } of pools) {
  describe(`${name} onWorkerExit`, () => {
    it("'replace': a dying worker fails only its running task; its queued tasks run on a new worker", async () => {
      const pool = make({ maxWorkers: 1, onWorkerExit: 'replace' });
      try {
        await pool.start();
        // All on the one worker: the exit is running, the adds are sent behind it and not started.
        const dying = pool.submit(task('exitNow'), 3);
        const after = [1, 2, 3].map((i) => pool.submit<number>(task('add'), i, 10));
        const error = await dying.then(
          () => assert.fail('the task that exited must fail'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof Broken, `a ${Broken.name}, got ${String(error)}`);
        assert.equal((error as InstanceType<typeof Broken>).exitCode, 3);
        assert.deepEqual(await Promise.all(after), [11, 12, 13]);
        assert.equal(pool.broken, false);
        assert.equal(await pool.submit(task('add'), 20, 22), 42, 'the pool stays usable');
        const stats = pool.stats();
        assert.equal(stats.workersStarted, 2, 'one replacement');
        assert.equal(stats.workersExited, 1);
      } finally {
        await pool.shutdown();
      }
    });

    it("'replace': with several workers the others keep theirs, and it can happen again", async () => {
      const pool = make({ maxWorkers: 2, onWorkerExit: 'replace' });
      try {
        await pool.start();
        for (let round = 0; round < 2; round++) {
          const dying = pool.submit(task('exitNow'), 5);
          const others = Array.from({ length: 8 }, (_, i) => pool.submit<number>(task('add'), i, 1));
          await assert.rejects(dying, Broken);
          assert.deepEqual(
            await Promise.all(others),
            Array.from({ length: 8 }, (_, i) => i + 1),
          );
        }
        assert.equal(pool.broken, false);
      } finally {
        await pool.shutdown();
      }
    });

    it("the default is Python's 'break': one dying worker breaks the pool", async () => {
      const pool = make({ maxWorkers: 1 });
      try {
        await assert.rejects(pool.submit(task('exitNow'), 3), Broken);
        assert.equal(pool.broken, true);
        assert.throws(() => pool.submit(task('add'), 1, 2), Broken);
      } finally {
        await pool.shutdown();
      }
    });

    it('a bad onWorkerExit is a RangeError naming the option', () => {
      assert.throws(() => make({ onWorkerExit: 'restart' }), {
        name: 'RangeError',
        message: /onWorkerExit must be 'break' or 'replace', got "restart"/,
      });
    });
  });
}
