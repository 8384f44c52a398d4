// An addon built against native/include/gil_lab.h alone reaches the very interpreter lock that
// gil-lab's Interpreter uses: from a worker thread it holds the main interpreter's lock, yields at
// its checkpoints when the main thread asks for the lock, and stays out of the way in release
// mode; under ThreadPoolExecutor it runs under each worker's lock and stops on Future.abort().
// Assertions are on lock statistics; the one timing bound is deliberately loose.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Interpreter, ThreadPoolExecutor } from 'gil-lab';
import {
  buildExample,
  exampleUrl,
  missingToolchain,
  type ExampleModule,
  type ExampleWorker,
  type StoppingTimes,
} from './fixtures/extension-example.js';
import { waitFor } from './fixtures/lock-helpers.js';

const skip = missingToolchain() ?? false;
// A range far too long to finish: the tests stop it with the abort flag.
const ENDLESS = 2 ** 32;

describe('the extension shares the process-wide lock', { skip }, () => {
  let example: ExampleModule;
  let startExtensionWorker: () => Promise<ExampleWorker>;
  const main = Interpreter.main();
  const originalIntervalUs = main.switchIntervalUs;
  before(async () => {
    buildExample();
    example = (await import(exampleUrl('index.js').href)) as ExampleModule;
    ({ startExtensionWorker } = (await import(exampleUrl('threads.js').href)) as {
      startExtensionWorker: () => Promise<ExampleWorker>;
    });
    main.configure({ switchIntervalUs: 2000 });
  });
  after(() => main.configure({ switchIntervalUs: originalIntervalUs }));

  it('hold mode from a worker: the main thread’s acquireAsync() gets in through a drop request', async () => {
    const worker = await startExtensionWorker();
    try {
      const abort = new Int32Array(new SharedArrayBuffer(4));
      main.resetStats();
      const running = worker.run(1, ENDLESS, { mode: 'hold', abortFlag: abort });
      await waitFor(() => main.stats().holder === worker.threadId);

      const t0 = performance.now();
      await main.acquireAsync();
      const waitedMs = performance.now() - t0;
      assert.equal(main.isHeldByCurrentThread(), true);
      main.release();
      Atomics.store(abort, 0, 1);
      const result = await running;

      assert.equal(result.acquiredLock, true, 'the worker took the main interpreter’s lock');
      assert.equal(result.aborted, true);
      assert.ok(result.yields >= 1, `the kernel yielded at a checkpoint (${result.yields})`);
      const stats = main.stats();
      assert.ok(stats.dropRequests >= 1, `drop requests: ${stats.dropRequests}`);
      assert.ok(stats.forcedSwitches >= 1, `forced switches: ${stats.forcedSwitches}`);
      const workerStats = stats.threads.find((t) => t.threadId === worker.threadId);
      assert.ok(
        workerStats !== undefined && workerStats.forcedSwitches >= 1,
        'the worker thread was the one that yielded',
      );
      // About one switch interval (2 ms); bounded very loosely for busy machines.
      assert.ok(waitedMs < 20 * 2 + 500, `waited ${waitedMs} ms`);
    } finally {
      await worker.terminate();
    }
  });

  it('release mode from a worker: the lock is free while it computes, no drop request needed', async () => {
    const worker = await startExtensionWorker();
    try {
      const abort = new Int32Array(new SharedArrayBuffer(4));
      main.resetStats();
      const running = worker.run(1, ENDLESS, { mode: 'release', abortFlag: abort });
      // It took the lock on entry and released it around the computation.
      await waitFor(() => {
        const s = main.stats();
        return s.holder === 0 && (s.threads.find((t) => t.threadId === worker.threadId)?.acquisitions ?? 0) >= 1;
      });
      await main.acquireAsync();
      const whileComputing = main.stats();
      main.release();
      Atomics.store(abort, 0, 1);
      const result = await running;
      assert.equal(result.aborted, true, 'it was still computing while the main thread held the lock');
      assert.equal(result.yields, 0);
      assert.equal(whileComputing.dropRequests, 0);
      assert.equal(whileComputing.forcedSwitches, 0);
    } finally {
      await worker.terminate();
    }
  });

  it('from worker threads, hold and release give the results of the main thread', async () => {
    const workers = await Promise.all([startExtensionWorker(), startExtensionWorker()]);
    try {
      const ranges: [number, number][] = [
        [1, 60_000],
        [60_000, 120_000],
      ];
      const expected = ranges.map(([lo, hi]) => example.stoppingTimes(lo, hi, { mode: 'release' }));
      for (const mode of ['hold', 'release'] as const) {
        const got = await Promise.all(ranges.map(([lo, hi], i) => workers[i]!.run(lo, hi, { mode })));
        const strip = (r: StoppingTimes) => [r.count, r.totalSteps, r.maxSteps, r.argMax];
        assert.deepEqual(got.map(strip), expected.map(strip), mode);
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });

  it('ThreadPoolExecutor (shared): tasks run under the worker’s hold on the main lock', async () => {
    const task = { module: exampleUrl('tasks.js'), export: 'stoppingTimesTask' };
    const items: [number, number, string][] = [];
    for (let lo = 1; lo < 200_000; lo += 25_000) items.push([lo, lo + 25_000, items.length % 2 ? 'hold' : 'release']);
    const expected = items.map(([lo, hi]) => example.stoppingTimes(lo, hi, { mode: 'release' }).totalSteps);
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      const results: StoppingTimes[] = [];
      for await (const r of pool.map<StoppingTimes>(task, items, { spread: true })) results.push(r);
      assert.deepEqual(
        results.map((r) => r.totalSteps),
        expected,
      );
      // The worker already held the lock, so the kernel kept it rather than taking it.
      assert.ok(results.every((r) => r.acquiredLock === false));
    } finally {
      await pool.shutdown();
    }
  });

  it('ThreadPoolExecutor (isolated): the kernel uses each worker’s own interpreter, not the main one', async () => {
    const task = { module: exampleUrl('tasks.js'), export: 'stoppingTimesTask' };
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'isolated' });
    try {
      await pool.submit(task, 1, 10, 'hold'); // start a worker before counting
      main.resetStats();
      const results = await Promise.all([
        pool.submit<StoppingTimes>(task, 1, 50_000, 'hold'),
        pool.submit<StoppingTimes>(task, 1, 50_000, 'release'),
      ]);
      assert.ok(results.every((r) => r.acquiredLock === false && r.count === 49_999));
      assert.equal(main.stats().acquisitions, 0, 'nobody touched the main interpreter’s lock');
    } finally {
      await pool.shutdown();
    }
  });

  it('ThreadPoolExecutor: Future.abort() stops a running extension task at its next slice', async () => {
    const task = { module: exampleUrl('tasks.js'), export: 'stoppingTimesTask' };
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const future = pool.submit(task, 1, ENDLESS, 'hold');
      await waitFor(() => future.running());
      assert.equal(await future.abort({ graceMs: 10_000 }), 'cooperative');
      await assert.rejects(future, { name: 'AbortError' });
    } finally {
      await pool.shutdown();
    }
  });
});
