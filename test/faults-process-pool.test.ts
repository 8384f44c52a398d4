// Fault injection for ProcessPoolExecutor: children killed with SIGKILL or SIGTERM at random points
// (starting, busy, idle), initializers that throw or exit, tasks that throw hostile values, tasks
// that never return. In every case: nothing hangs, every submitted future settles exactly once, and
// the pool either goes on working or reports itself broken (new submits throw, shutdown returns).
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { BrokenProcessPool, ProcessPoolExecutor, TimeoutError } from 'gil-lab';
import { HOSTILE_THROWS } from './fixtures/fault-tasks.js';
import { processAlive as alive } from './fixtures/executor-helpers.js';
import { allSettledOnce, faultTask, random, sleep, watch, within, type Watched } from './fixtures/fault-helpers.js';

const SEED = Number(process.env.GIL_LAB_FAULT_SEED ?? 20250611);

async function checkBrokenOrWorking(pool: ProcessPoolExecutor): Promise<void> {
  if (pool.broken) {
    assert.throws(() => pool.submit(faultTask('compute'), 1, 'after'), BrokenProcessPool);
  } else {
    assert.equal(
      await within(Promise.resolve(pool.submit(faultTask('compute'), 1, 'after')), 10_000, 'a task after the fault'),
      'after',
    );
  }
  await within(pool.shutdown(), 10_000, 'shutdown');
}

describe('ProcessPoolExecutor under faults', () => {
  for (const [round, when] of (['starting', 'busy', 'busy', 'busy', 'idle', 'busy'] as const).entries()) {
    const signal: NodeJS.Signals = round % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
    it(`a child killed with ${signal} while ${when} (round ${round})`, { timeout: 60_000 }, async () => {
      const rand = random(SEED + round);
      const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
      const watched: Watched[] = [];
      const submitSome = (n: number) => {
        for (let i = 0; i < n; i++) {
          const id = watched.length;
          const f =
            rand() < 0.5
              ? pool.submit(faultTask('compute'), Math.floor(rand() * 15), id)
              : pool.submit(faultTask('sleepThen'), Math.floor(rand() * 20), id);
          watched.push(watch(f, `task ${id}`));
        }
      };
      submitSome(12);
      if (when === 'idle') await within(Promise.all(watched.map((w) => w.settled)), 20_000, 'the first tasks');
      // Find a child to kill (a starting child has a pid before it is ready).
      let pid: number | null | undefined;
      await within(
        (async () => {
          for (;;) {
            const pids = pool
              .stats()
              .workers.map((w) => w.pid)
              .filter((p): p is number => p !== null);
            if (pids.length > 0) {
              pid = pids[Math.floor(rand() * pids.length)];
              return;
            }
            await sleep(1);
          }
        })(),
        10_000,
        'a child to start',
      );
      if (when === 'busy') await sleep(Math.floor(rand() * 40));
      process.kill(pid!, signal);
      if (when !== 'idle') submitSome(4);
      const problems = await allSettledOnce(watched, 20_000);
      assert.deepEqual(problems, []);
      for (const w of watched) {
        if (w.outcome!.ok) {
          assert.equal(w.outcome!.value, Number(w.label.split(' ')[1]), `${w.label} returned another task's value`);
        } else {
          const error = w.outcome!.error as BrokenProcessPool;
          assert.ok(error instanceof BrokenProcessPool, `${w.label} rejected with ${String(error)}`);
          assert.equal(error.signal, signal);
          assert.equal(error.pid, pid);
        }
      }
      // An unexpected exit breaks the pool, busy or idle, as in Python.
      await within(
        (async () => {
          while (!pool.broken) await sleep(2);
        })(),
        10_000,
        'the pool to notice the killed child',
      );
      await checkBrokenOrWorking(pool);
      await within(
        (async () => {
          while (alive(pid!)) await sleep(5);
        })(),
        5_000,
        'the killed child to be gone',
      );
    });
  }

  it('a task that kills its own child breaks the pool with the signal', { timeout: 30_000 }, async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const dying = watch(pool.submit(faultTask('killSelf'), 'SIGKILL', 5), 'killSelf');
    const queued = watch(pool.submit(faultTask('compute'), 1, 'queued'), 'queued');
    assert.deepEqual(await allSettledOnce([dying, queued], 10_000), []);
    for (const w of [dying, queued]) {
      assert.ok(!w.outcome!.ok && w.outcome!.error instanceof BrokenProcessPool);
      assert.equal((w.outcome!.error as BrokenProcessPool).signal, 'SIGKILL');
    }
    await checkBrokenOrWorking(pool);
  });

  for (const [initializer, args] of [
    ['initializeThrow', ['string']],
    ['initializeThrow', ['undefined']],
    ['initializeThrow', ['proxy-error']],
    ['initializeThrow', ['Error']],
    ['initializeExit', [5]],
  ] as const) {
    it(
      `an initializer ${initializer}(${args.join()}) breaks the pool; every future settles`,
      { timeout: 30_000 },
      async () => {
        const pool = new ProcessPoolExecutor({
          maxWorkers: 2,
          initializer: faultTask(initializer),
          initializerArgs: [...args],
        });
        const watched = Array.from({ length: 5 }, (_, i) =>
          watch(pool.submit(faultTask('compute'), 1, i), `task ${i}`),
        );
        assert.deepEqual(await allSettledOnce(watched, 15_000), []);
        for (const w of watched) {
          assert.ok(!w.outcome!.ok, `${w.label} ran although the initializer failed`);
          assert.ok(w.outcome!.error instanceof BrokenProcessPool, `${w.label}: ${String(w.outcome!.error)}`);
        }
        assert.ok(pool.broken);
        await checkBrokenOrWorking(pool);
      },
    );
  }

  for (const serialization of ['advanced', 'json'] as const) {
    it(
      `tasks that throw hostile values (${serialization}): each future rejects once, the pool goes on`,
      { timeout: 60_000 },
      async () => {
        const pool = new ProcessPoolExecutor({ maxWorkers: 2, serialization });
        const watched: Watched[] = [];
        for (const kind of HOSTILE_THROWS) {
          watched.push(watch(pool.submit(faultTask('throwHostile'), kind), `throw ${kind}`));
          watched.push(watch(pool.submit(faultTask('rejectHostile'), kind), `reject ${kind}`));
        }
        assert.deepEqual(await allSettledOnce(watched, 20_000), []);
        for (const w of watched) {
          assert.equal(w.outcome!.ok, false, `${w.label} fulfilled`);
          const error = w.outcome!.error;
          assert.ok(!(error instanceof BrokenProcessPool), `${w.label} broke the pool: ${String(error)}`);
          if (w.label.endsWith(' string') && serialization === 'advanced') assert.equal(error, 'a thrown string');
          if (w.label.endsWith(' object') && serialization === 'advanced') {
            assert.ok(
              isDeepStrictEqual(error, { reason: 'an object', nested: { code: 7 } }),
              `${w.label}: ${String(error)}`,
            );
          }
        }
        assert.equal(pool.broken, false);
        await checkBrokenOrWorking(pool);
      },
    );
  }

  for (const name of ['spinForever', 'neverSettle'] as const) {
    it(
      `a task that never returns (${name}): timeout, then abort() kills and replaces its child`,
      { timeout: 30_000 },
      async () => {
        const pool = new ProcessPoolExecutor({ maxWorkers: 1, abortGraceMs: 100 });
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
        assert.equal(pool.broken, false);
        await checkBrokenOrWorking(pool);
      },
    );
  }
});
