// The C extension API, version 2: an extension finds the calling thread's current interpreter and
// the running task's abort flag through the capsule (before, both had to be passed in from
// JavaScript), the version-1 table stays available to addons built against the version-1 header,
// and the example's napi_async_work variant takes and releases the lock on Node's thread pool.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { extensionApi, extensionApiVersion, Interpreter, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import {
  buildExample,
  exampleUrl,
  loadApiProbe,
  missingToolchain,
  type ApiProbe,
  type ExampleModule,
} from './fixtures/extension-example.js';
import { waitFor } from './fixtures/lock-helpers.js';

const skip = missingToolchain() ?? false;
const ENDLESS = 2 ** 32;
const FIRST_27 = { count: 27, totalSteps: 387, maxSteps: 111, argMax: 27 };
const summary = (r: { count: number; totalSteps: number; maxSteps: number; argMax: number }) => ({
  count: r.count,
  totalSteps: r.totalSteps,
  maxSteps: r.maxSteps,
  argMax: r.argMax,
});

describe('extension API version 2', { skip }, () => {
  let example: ExampleModule;
  let probe: ApiProbe;
  const tasks = (name: string) => ({ module: exampleUrl('tasks.js'), export: name });
  before(async () => {
    buildExample();
    example = (await import(exampleUrl('index.js').href)) as ExampleModule;
    probe = loadApiProbe();
  });

  it('serves version 2 by default and the version-1 table to addons built against the version-1 header', () => {
    assert.equal(extensionApiVersion(), 2);
    assert.equal(probe.imports(extensionApi()), true);
    assert.equal(probe.imports(extensionApi(2)), true);
    // An addon built before version 2 accepts exactly version 1: extensionApi(1) is for it, and works.
    assert.deepEqual(probe.importsAsV1(extensionApi(1)), { imports: true, mainHeld: false });
    assert.deepEqual(probe.importsAsV1(extensionApi()), { imports: false });
    // This header needs the version-2 fields: it refuses the version-1 table.
    assert.equal(probe.imports(extensionApi(1)), false);
  });

  it('extensionApi(version) refuses a version it does not have, naming the argument', () => {
    assert.throws(() => extensionApi(3 as 2), { name: 'RangeError', message: /version must be 1 or 2, got 3/ });
    assert.throws(() => extensionApi('2' as unknown as 2), { name: 'TypeError', message: /version must be a number/ });
  });

  it('on a thread with no executor: the current interpreter is the main one, and there is no abort flag', () => {
    assert.deepEqual(probe.current(extensionApi()), { currentIsMain: true, abortFlagIsNull: true });
  });

  it('interpreter_current follows Interpreter.setThreadDefault on this thread', () => {
    const own = new Interpreter();
    try {
      Interpreter.setThreadDefault(own);
      assert.deepEqual(probe.current(extensionApi()).currentIsMain, false);
      // The example, given no interpreterId, now takes this interpreter's lock, not the main one.
      own.resetStats();
      assert.deepEqual(summary(example.stoppingTimes(1, 28)), FIRST_27);
      assert.ok(own.stats().acquisitions >= 1, 'the kernel took the current interpreter’s lock');
    } finally {
      Interpreter.setThreadDefault(undefined);
      own.destroy();
    }
    assert.equal(probe.current(extensionApi()).currentIsMain, true);
  });

  it('in an isolated pool, a task that passes nothing runs under its worker’s own lock (held already)', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, lock: 'isolated' });
    try {
      const r = await pool.submit<{ acquiredLock: boolean; count: number }>(
        tasks('stoppingTimesFromCApi'),
        1,
        28,
        'hold',
      );
      // The worker holds its interpreter's lock while the task runs: had the kernel used the main
      // interpreter (the version-1 default), it would have had to take that lock itself.
      assert.equal(r.count, 27);
      assert.equal(r.acquiredLock, false);
    } finally {
      await pool.shutdown();
    }
  });

  for (const mode of ['hold', 'release'] as const) {
    it(`Future.abort() reaches a task that passes no abort flag (${mode}), in a thread and in a process`, async () => {
      for (const pool of [new ThreadPoolExecutor({ maxWorkers: 1 }), new ProcessPoolExecutor({ maxWorkers: 1 })]) {
        try {
          const future = pool.submit(tasks('stoppingTimesFromCApi'), 1, ENDLESS, mode);
          await waitFor(() => future.running());
          assert.equal(await future.abort({ graceMs: 10_000 }), 'cooperative');
          await assert.rejects(future, { name: 'AbortError' });
        } finally {
          await pool.shutdown();
        }
      }
    });
  }

  it('stoppingTimesAsync (napi_async_work) gives the synchronous results, from the main thread', async () => {
    for (const mode of ['hold', 'release'] as const) {
      const r = await example.stoppingTimesAsync(1, 28, { mode });
      assert.deepEqual(summary(r), FIRST_27);
      assert.equal(r.acquiredLock, true, 'the pool thread took the free lock');
      assert.equal(r.aborted, false);
    }
    assert.equal(Interpreter.main().isHeldByCurrentThread(), false);
    // Bad arguments throw at the call, before any work is queued.
    assert.throws(() => example.stoppingTimesAsync(5, 1), { name: 'RangeError', message: /hi must be >= lo/ });
  });

  it('stoppingTimesAsync with an abort flag from JavaScript stops early', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const pending = example.stoppingTimesAsync(1, ENDLESS, { mode: 'release', abortFlag: flag });
    setTimeout(() => Atomics.store(flag, 0, 1), 20);
    const r = await pending;
    assert.equal(r.aborted, true);
  });

  it('as an async executor task: the worker lets go of the lock while the pool thread works; abort reaches it', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      for (const mode of ['hold', 'release'] as const) {
        const r = await pool.submit<{ count: number; acquiredLock: boolean }>(
          tasks('stoppingTimesAsyncTask'),
          1,
          28,
          mode,
        );
        assert.equal(r.count, 27);
        assert.equal(r.acquiredLock, true, 'the worker released the lock while awaiting; the pool thread took it');
      }
      const future = pool.submit(tasks('stoppingTimesAsyncTask'), 1, ENDLESS, 'hold');
      await waitFor(() => future.running());
      assert.equal(await future.abort({ graceMs: 10_000 }), 'cooperative');
      await assert.rejects(future, { name: 'AbortError' });
      assert.equal(Interpreter.main().isHeldByCurrentThread(), false);
    } finally {
      await pool.shutdown();
    }
  });
});

describe('the per-thread registrations behind interpreter_current() and current_abort_flag()', () => {
  it('refuse bad arguments with errors naming them, before anything reaches the registry', async () => {
    const { native } = await import('#internal/native');
    const call =
      (fn: (...a: unknown[]) => void, ...args: unknown[]) =>
      () =>
        fn(...args);
    const control = native.setThreadControl as (...a: unknown[]) => void;
    const interp = native.setThreadInterpreter as (...a: unknown[]) => void;
    assert.throws(call(control, 'cells'), { name: 'TypeError', message: /cells must be an Int32Array/ });
    assert.throws(call(control, new Float64Array(4), 0, 2, 1), { name: 'TypeError', message: /cells/ });
    assert.throws(call(control, new Int32Array(0), 0, 2, 1), {
      name: 'RangeError',
      message: /cells must not be empty/,
    });
    assert.throws(call(control, new Int32Array(4), 4, 2, 1), { name: 'RangeError', message: /currentCell/ });
    assert.throws(call(control, new Int32Array(4), 0, 0, 0), { name: 'RangeError', message: /cellsPerSlot/ });
    assert.throws(call(control, new Int32Array(4), 0, 2, 2), { name: 'RangeError', message: /abortOffset/ });
    assert.throws(call(control, new Int32Array(4), 'x', 2, 1), { name: 'TypeError', message: /currentCell/ });
    assert.throws(call(interp, 'main'), { name: 'TypeError', message: /id must be a number/ });
    assert.throws(call(interp, -1), { name: 'RangeError', message: /id must be an interpreter id/ });
    assert.throws(call(interp, 4_000_000), { name: 'RangeError', message: /no interpreter with this id/ });
    control(undefined);
    interp(undefined);
  });
});
