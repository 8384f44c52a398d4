// Built-in kernel tasks: a kernel name runs the native kernel in the worker under the worker's
// interpreter; 'reference.<name>' runs its TypeScript twin; abort() stops a kernel through its
// abort flag (a SharedArrayBuffer cell for threads, a SharedMemory cell for processes); and the
// 'shared' lock model serialises hold-mode kernels while 'isolated' does not (lock statistics).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interpreter, kernels, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { KERNEL_NAMES } from '#internal/kernels/table';
import { task, until } from './fixtures/executor-helpers.js';

describe('kernel tasks', () => {
  it('every kernel is a task (the kernel table is complete)', () => {
    const sync = Object.keys(kernels).filter(
      (name) => typeof (kernels as unknown as Record<string, unknown>)[name] === 'function' && !name.endsWith('Async'),
    );
    const notKernels = new Set(['spinIterationsPerNs', 'RefHeap', 'AbortFlag']);
    for (const name of sync)
      if (!notKernels.has(name))
        assert.ok((KERNEL_NAMES as string[]).includes(name), `${name} is missing from the kernel table`);
  });

  for (const [name, make] of [
    ['threads', () => new ThreadPoolExecutor({ maxWorkers: 2 })],
    ['processes', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
  ] as const) {
    it(`run native kernels and their twins, in either mode (${name})`, async () => {
      const pool = make();
      try {
        assert.equal(await pool.submit('countPrimes', 0, 10_000), 1229);
        assert.equal(await pool.submit('countPrimes', 0, 10_000, { mode: 'release' }), 1229);
        assert.equal(await pool.submit('reference.countPrimes', 0, 10_000), 1229);
        const a = new Float64Array([1, 2, 3, 4]);
        assert.equal(await pool.submit('sum', a), 10);
        await assert.rejects(pool.submit('countPrimes', 10, 1), RangeError, 'the kernel checks its arguments');
        // Each of these is also a compile error (the types come from the kernel table).
        // @ts-expect-error: no such mode
        await assert.rejects(pool.submit('countPrimes', 0, 10, { mode: 'fast' }), RangeError);
        // @ts-expect-error: too many arguments
        await assert.rejects(pool.submit('countPrimes', 0, 10, 3, 4), /takes 2 argument/);
        // @ts-expect-error: a misspelt name
        assert.throws(() => pool.submit('countPrime', 0, 10), RangeError);
      } finally {
        await pool.shutdown();
      }
    });

    it(`abort() stops a running kernel within a slice: cooperative (${name})`, async () => {
      const pool = make();
      try {
        const f = pool.submit('countPrimes', 0, 2 ** 40);
        await until(() => f.running(), 10_000, 'the kernel to start');
        assert.equal(await f.abort({ graceMs: 10_000 }), 'cooperative');
        await assert.rejects(f, { name: 'AbortError' });
        assert.equal(pool.stats().workersStarted, 1, 'the worker was not replaced');
        assert.equal(await pool.submit('countPrimes', 0, 100), 25);
      } finally {
        await pool.shutdown();
      }
    });
  }

  it("'shared' serialises hold-mode kernels on the main lock; 'isolated' does not", async () => {
    const main = Interpreter.main();
    const shared = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'shared' });
    try {
      await shared.start();
      main.resetStats();
      await Promise.all([shared.submit('countPrimes', 0, 600_000), shared.submit('countPrimes', 0, 600_000)]);
      const stats = main.stats();
      assert.ok(stats.contendedAcquisitions >= 1, `contended: ${stats.contendedAcquisitions}`);
      assert.ok(stats.dropRequests >= 1, `drop requests: ${stats.dropRequests}`);
      assert.ok(stats.forcedSwitches >= 1, `forced switches: ${stats.forcedSwitches}`);
    } finally {
      await shared.shutdown();
    }
    const isolated = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'isolated' });
    try {
      await isolated.start();
      await Promise.all([isolated.submit('countPrimes', 0, 600_000), isolated.submit('countPrimes', 0, 600_000)]);
      for (const interpreter of isolated.interpreters()) {
        const stats = interpreter.stats();
        assert.ok(stats.acquisitions >= 1);
        assert.equal(stats.contendedAcquisitions, 0);
        assert.equal(stats.dropRequests, 0);
      }
    } finally {
      await isolated.shutdown();
    }
  });

  it("a module task's kernels default to the worker's own interpreter (isolated and free pools)", async () => {
    for (const lock of ['isolated', 'free'] as const) {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1, lock });
      try {
        const r = (await pool.submit(task('kernelWithDefaultInterpreter'), 10_000)) as {
          primes: number;
          interpreterId: number;
        };
        assert.equal(r.primes, 1229);
        assert.equal(r.interpreterId, pool.interpreters()[0]!.id);
        assert.notEqual(r.interpreterId, 0);
      } finally {
        await pool.shutdown();
      }
    }
  });
});
