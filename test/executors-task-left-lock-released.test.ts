// Regression: a task that released its worker's interpreter lock (itself, or a C extension inside
// it) "succeeded"; then the worker's own release() threw, the worker died and the NEXT, innocent
// task failed with Broken*Pool. Now the worker checks the lock after every task: the task that left
// the lock in the wrong state fails with an error that says so, and the pool goes on with the same
// worker. The converse (a task that returns holding a lock the worker does not expect it to) too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interpreter, ProcessPoolExecutor, ThreadPoolExecutor, type ModuleTask } from 'gil-lab';
import { within } from './fixtures/fault-helpers.js';

const MISUSE_URL = new URL('./fixtures/lock-misuse-tasks.js', import.meta.url);
const misuse = (name: string): ModuleTask => ({ module: MISUSE_URL, export: name });

type AnyPool = ThreadPoolExecutor | ProcessPoolExecutor;
const POOLS: Array<[string, () => AnyPool]> = [
  ['shared thread pool', () => new ThreadPoolExecutor({ maxWorkers: 1, lock: 'shared' })],
  ['isolated thread pool', () => new ThreadPoolExecutor({ maxWorkers: 1, lock: 'isolated' })],
  ['free thread pool', () => new ThreadPoolExecutor({ maxWorkers: 1, lock: 'free' })],
  ['process pool', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
];

/** The task fails with `pattern`; the next task runs on the same worker, holding its lock; the pool is not broken. */
async function expectTaskFailsPoolLives(pool: AnyPool, name: string, pattern: RegExp): Promise<void> {
  await assert.rejects(within(Promise.resolve(pool.submit(misuse(name), 'value')), 10_000, name), (error: Error) => {
    assert.doesNotMatch(error.name, /Broken/, `${name}: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
  assert.equal(await within(Promise.resolve(pool.submit(misuse('holdsOwnLock'))), 10_000, 'the next task'), true);
  assert.equal(pool.broken, false);
  assert.equal(pool.stats().workersStarted, 1, 'the worker was kept');
}

describe('a task that leaves the interpreter lock released fails itself, not the next task', () => {
  for (const [label, make] of POOLS) {
    it(`${label}: a task that releases the lock and returns`, { timeout: 30_000 }, async () => {
      const pool = make();
      try {
        await expectTaskFailsPoolLives(pool, 'releaseAndReturn', /left the interpreter lock released/);
      } finally {
        await within(pool.shutdown(), 10_000, 'shutdown');
      }
    });

    it(`${label}: a task that releases the lock and then awaits`, { timeout: 30_000 }, async () => {
      const pool = make();
      try {
        await expectTaskFailsPoolLives(pool, 'releaseThenAwait', /left the interpreter lock released/);
      } finally {
        await within(pool.shutdown(), 10_000, 'shutdown');
      }
    });

    it(
      `${label}: an async task that returns holding the lock it took after an await`,
      { timeout: 30_000 },
      async () => {
        const pool = make();
        try {
          await expectTaskFailsPoolLives(pool, 'acquireAfterAwait', /returned holding the interpreter lock/);
        } finally {
          await within(pool.shutdown(), 10_000, 'shutdown');
        }
      },
    );
  }

  for (const lock of ['isolated', 'free'] as const) {
    it(
      `${lock} thread pool: a task that returns holding the main interpreter's lock`,
      { timeout: 30_000 },
      async () => {
        const pool = new ThreadPoolExecutor({ maxWorkers: 1, lock });
        try {
          await expectTaskFailsPoolLives(pool, 'keepMainLock', /returned holding the lock of the main interpreter/);
          // The worker let it go: this thread can take the main lock.
          const main = Interpreter.main();
          await within(main.acquireAsync(), 10_000, 'the main lock');
          main.release();
        } finally {
          await within(pool.shutdown(), 10_000, 'shutdown');
        }
      },
    );
  }
});
