// Fault injection for ThreadPoolExecutor: threads terminated at random points, also in the middle of
// a native kernel that ignores its abort flag; a worker that runs out of memory (resourceLimits);
// initializers that throw; tasks that throw hostile values; tasks that never return. In every case:
// nothing hangs, every submitted future settles exactly once, the pool goes on working or reports
// itself broken, and the interpreter lock a terminated thread held is free again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenThreadPool, Interpreter, ThreadPoolExecutor, TimeoutError, type LockModel } from 'gil-lab';
import { HOSTILE_THROWS } from './fixtures/fault-tasks.js';
import { allSettledOnce, faultTask, random, sleep, watch, within, type Watched } from './fixtures/fault-helpers.js';

const SEED = Number(process.env.GIL_LAB_FAULT_SEED ?? 20250611);

async function checkBrokenOrWorking(pool: ThreadPoolExecutor): Promise<void> {
  if (pool.broken) {
    assert.throws(() => pool.submit(faultTask('compute'), 1, 'after'), BrokenThreadPool);
  } else {
    const after = Promise.resolve(pool.submit(faultTask('compute'), 1, 'after'));
    assert.equal(await within(after, 10_000, 'a task after the fault'), 'after');
  }
  await within(pool.shutdown(), 15_000, 'shutdown');
}

/** The main thread can take the lock: no dead or terminated thread kept it. */
async function lockIsFree(interpreter: Interpreter): Promise<void> {
  await within(interpreter.acquireAsync(), 10_000, `acquiring interpreter ${interpreter.id}'s lock`);
  interpreter.release();
}

describe('ThreadPoolExecutor under faults', () => {
  it(
    'a thread terminated in the middle of a native kernel that ignores its abort flag',
    { timeout: 60_000 },
    async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 2, abortGraceMs: 100 });
      await pool.start();
      // 0.6 s of hold-mode kernel with no signal: terminate() cannot interrupt native code, so the
      // thread finishes the kernel (checkpointing, so the others get the lock), then ends.
      const stubborn = pool.submit(faultTask('stubbornKernel'), 600e6);
      const w = watch(stubborn, 'stubbornKernel');
      const others = Array.from({ length: 6 }, (_, i) =>
        watch(pool.submit(faultTask('compute'), 5, i), `compute ${i}`),
      );
      await within(
        (async () => {
          while (!stubborn.running()) await sleep(1);
        })(),
        10_000,
        'the kernel to start',
      );
      assert.equal(await within(stubborn.abort(), 10_000, 'abort()'), 'forced');
      assert.deepEqual(await allSettledOnce([w, ...others], 20_000), []);
      assert.equal((w.outcome as { error: Error }).error.name, 'AbortError');
      for (const [i, o] of others.entries()) assert.deepEqual(o.outcome, { ok: true, value: i });
      assert.equal(pool.broken, false);
      await checkBrokenOrWorking(pool);
      await lockIsFree(Interpreter.main());
    },
  );

  for (const lock of ['shared', 'isolated', 'free'] as LockModel[]) {
    it(`aborts at random points of random tasks (lock ${lock})`, { timeout: 90_000 }, async () => {
      const rand = random(SEED + lock.length);
      // (No switchIntervalUs: with lock 'shared' it reconfigures the main interpreter, which a thread
      // still finishing an earlier test's kernel may hold.)
      const pool = new ThreadPoolExecutor({ maxWorkers: 2, lock, abortGraceMs: 50 });
      const watched: Watched[] = [];
      const aborts: Promise<unknown>[] = [];
      for (let i = 0; i < 24; i++) {
        const r = rand();
        const f =
          r < 0.3
            ? pool.submit(faultTask('compute'), Math.floor(rand() * 10), i)
            : r < 0.5
              ? pool.submit(faultTask('sleepThen'), Math.floor(rand() * 10), i)
              : r < 0.7
                ? pool.submit('spin', Math.floor(rand() * 5e6)) // a kernel that honours its flag
                : r < 0.85
                  ? pool.submit(faultTask('stubbornKernel'), Math.floor(rand() * 150e6))
                  : pool.submit(faultTask('spinForever'));
        const w = watch(f, `task ${i}`);
        watched.push(w);
        if (r >= 0.85 || rand() < 0.4) {
          const delay = Math.floor(rand() * 30);
          aborts.push(sleep(delay).then(() => f.abort({ graceMs: Math.floor(rand() * 60) })));
        }
      }
      const outcomes = await within(Promise.all(aborts), 30_000, 'every abort()');
      for (const o of outcomes)
        assert.ok(['cancelled', 'cooperative', 'forced', 'finished'].includes(o as string), String(o));
      assert.deepEqual(await allSettledOnce(watched, 30_000), []);
      for (const w of watched) {
        if (!w.outcome!.ok) {
          const e = w.outcome!.error as Error;
          assert.ok(['AbortError', 'CancelledError'].includes(e.name), `${w.label}: ${e.name}: ${e.message}`);
        }
      }
      assert.equal(pool.broken, false);
      // The workers' locks are free once the terminated threads are gone (checked before shutdown,
      // which destroys isolated interpreters).
      for (const interpreter of pool.interpreters()) if (interpreter.policy !== 'none') await lockIsFree(interpreter);
      await checkBrokenOrWorking(pool);
      await lockIsFree(Interpreter.main());
    });
  }

  it(
    'a worker thread that runs out of memory breaks the pool; the lock it held is free',
    { timeout: 60_000 },
    async () => {
      const pool = new ThreadPoolExecutor({
        maxWorkers: 1,
        resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 },
      });
      const hog = watch(pool.submit(faultTask('exhaustMemory')), 'exhaustMemory');
      const queued = watch(pool.submit(faultTask('compute'), 1, 'queued'), 'queued');
      assert.deepEqual(await allSettledOnce([hog, queued], 30_000), []);
      for (const w of [hog, queued]) {
        assert.ok(
          !w.outcome!.ok && w.outcome!.error instanceof BrokenThreadPool,
          `${w.label}: ${String((w.outcome as { error?: unknown }).error)}`,
        );
      }
      const cause = (hog.outcome as { error: Error }).error.cause as { code?: string } | undefined;
      assert.equal(cause?.code, 'ERR_WORKER_OUT_OF_MEMORY');
      assert.ok(pool.broken);
      await checkBrokenOrWorking(pool);
      await lockIsFree(Interpreter.main());
      assert.ok(Interpreter.main().stats().releasesOnThreadExit >= 0);
    },
  );

  for (const kind of ['string', 'undefined', 'proxy-error', 'Error']) {
    it(`an initializer that throws (${kind}) breaks the pool; every future settles`, { timeout: 30_000 }, async () => {
      const pool = new ThreadPoolExecutor({
        maxWorkers: 2,
        initializer: faultTask('initializeThrow'),
        initializerArgs: [kind],
      });
      const watched = Array.from({ length: 5 }, (_, i) => watch(pool.submit(faultTask('compute'), 1, i), `task ${i}`));
      assert.deepEqual(await allSettledOnce(watched, 15_000), []);
      for (const w of watched) assert.ok(!w.outcome!.ok && w.outcome!.error instanceof BrokenThreadPool, w.label);
      await checkBrokenOrWorking(pool);
      await lockIsFree(Interpreter.main());
    });
  }

  it('tasks that throw hostile values: each future rejects once, the pool goes on', { timeout: 60_000 }, async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const watched: Watched[] = [];
    for (const kind of HOSTILE_THROWS) {
      watched.push(watch(pool.submit(faultTask('throwHostile'), kind), `throw ${kind}`));
      watched.push(watch(pool.submit(faultTask('rejectHostile'), kind), `reject ${kind}`));
    }
    assert.deepEqual(await allSettledOnce(watched, 20_000), []);
    for (const w of watched) {
      assert.equal(w.outcome!.ok, false, `${w.label} fulfilled`);
      assert.ok(!(w.outcome!.error instanceof BrokenThreadPool), `${w.label} broke the pool`);
      if (w.label.endsWith(' string')) assert.equal(w.outcome!.error, 'a thrown string');
      if (w.label.endsWith(' null')) assert.equal(w.outcome!.error, null);
    }
    assert.equal(pool.broken, false);
    await checkBrokenOrWorking(pool);
  });

  for (const name of ['spinForever', 'neverSettle'] as const) {
    it(
      `a task that never returns (${name}): timeout, then abort() terminates and replaces its thread`,
      { timeout: 30_000 },
      async () => {
        const pool = new ThreadPoolExecutor({ maxWorkers: 1, abortGraceMs: 100 });
        const hung = pool.submit(faultTask(name));
        const w = watch(hung, name);
        const queued = watch(pool.submit(faultTask('compute'), 1, 'queued'), 'queued');
        await within(
          (async () => {
            while (!hung.running()) await sleep(1);
          })(),
          10_000,
          'the task to start',
        );
        await assert.rejects(hung.result({ timeoutMs: 100 }), TimeoutError);
        assert.equal(hung.done(), false);
        assert.equal(await within(hung.abort(), 10_000, 'abort()'), 'forced');
        assert.deepEqual(await allSettledOnce([w, queued], 10_000), []);
        assert.equal((w.outcome as { error: Error }).error.name, 'AbortError');
        assert.deepEqual(queued.outcome, { ok: true, value: 'queued' });
        await checkBrokenOrWorking(pool);
        await lockIsFree(Interpreter.main());
      },
    );
  }
});
