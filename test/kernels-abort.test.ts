// An abort stops a kernel within one slice, with an AbortError, and leaves the lock as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortFlag, Interpreter, isAbortError, kernels, reference } from 'gil-lab';
import { native } from '#internal/native';
import * as twin from '#internal/kernels/reference';
import { startKernelWorker } from './fixtures/kernel-helpers.js';

const isAbort = (e: unknown) => {
  assert.ok(e instanceof Error, 'an Error');
  assert.equal(e.name, 'AbortError');
  assert.ok(isAbortError(e));
  return true;
};

const HOLD = 0;
const RELEASE = 1;

// A kernel that finds the flag raised when it reaches its first slice boundary stops right there:
// exactly one slice of triad is written, the rest of the array is untouched.
test('a raised flag stops a kernel at its next slice boundary (native both modes, and the twin)', () => {
  const main = Interpreter.main();
  main.acquire();
  try {
    const slice = reference.SLICE_BUDGETS.triadElements;
    const n = slice * 10;
    const b = new Float64Array(n).fill(1);
    const c = new Float64Array(n).fill(2);
    const check = (name: string, a: Float64Array) => {
      assert.ok(
        a.subarray(0, slice).every((v) => v === 7),
        `${name}: the first slice was done`,
      );
      assert.ok(
        a.subarray(slice).every((v) => v === -1),
        `${name}: nothing after the first slice`,
      );
    };
    for (const mode of [HOLD, RELEASE]) {
      const a = new Float64Array(n).fill(-1);
      const flag = new Int32Array([1]);
      assert.throws(() => native.kernels.triad(main.id, mode, flag, a, b, c, 3), isAbort);
      check(`native mode ${mode}`, a);
      assert.ok(main.isHeldByCurrentThread(), 'the lock is held again after the abort');
    }
    const a = new Float64Array(n).fill(-1);
    assert.throws(() => twin.triad(a, b, c, 3, main, () => true), isAbort);
    check('twin', a);

    // The same for a single long mandelbrot pixel: one slice of iterations, then stop.
    const flag = new Int32Array([1]);
    const image = new Uint32Array(4);
    assert.throws(
      () => native.kernels.mandelbrot(main.id, HOLD, flag, 2, 2, 1e9, -0.1, -0.1, 0.1, 0.1, image),
      isAbort,
    );
    assert.deepEqual([...image], [0, 0, 0, 0], 'aborted inside the first pixel');
  } finally {
    main.release();
  }
});

test('an AbortFlag raised by another thread stops a sync kernel; the lock stays held', async () => {
  const interp = new Interpreter({ switchIntervalUs: 1000 });
  try {
    interp.acquire();
    for (const mode of ['hold', 'release'] as const) {
      const flag = new AbortFlag();
      const raiser = startKernelWorker({ scenario: 'raise-after', flag: flag.array, delayMs: 50 });
      // Far more work than the test could wait for: only the abort ends it.
      assert.throws(() => kernels.countPrimes(0, 2 ** 40, { interpreter: interp, mode, signal: flag }), isAbort);
      await raiser.result;
      assert.ok(interp.isHeldByCurrentThread(), `held after the abort (${mode})`);
      const twinFlag = new AbortFlag();
      const twinRaiser = startKernelWorker({ scenario: 'raise-after', flag: twinFlag.array, delayMs: 50 });
      assert.throws(() => reference.countPrimes(0, 2 ** 40, { interpreter: interp, signal: twinFlag }), isAbort);
      await twinRaiser.result;
    }
    // Blocking I/O notices the flag while it waits.
    const flag = new AbortFlag();
    const raiser = startKernelWorker({ scenario: 'raise-after', flag: flag.array, delayMs: 50 });
    assert.throws(() => kernels.sleep(3600e9, { interpreter: interp, mode: 'release', signal: flag }), isAbort);
    await raiser.result;
    assert.ok(interp.isHeldByCurrentThread());
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('an AbortSignal stops an async kernel (AbortError with the reason as cause); the pool thread lets go of the lock', async () => {
  const interp = new Interpreter({ switchIntervalUs: 1000 });
  try {
    for (const mode of ['hold', 'release'] as const) {
      const controller = new AbortController();
      const reason = new Error('enough');
      setTimeout(() => controller.abort(reason), 30);
      await assert.rejects(kernels.spinAsync(3600e9, { interpreter: interp, mode, signal: controller.signal }), (e) => {
        isAbort(e);
        assert.equal((e as Error).cause, reason);
        return true;
      });
      assert.equal(interp.stats().holder, 0, `the lock is free after the abort (${mode})`);
    }
    const io = new AbortController();
    setTimeout(() => io.abort(), 30);
    await assert.rejects(kernels.pipeRoundTripsAsync(1e9, 10, { interpreter: interp, signal: io.signal }), isAbort);
    const sockets = new AbortController();
    setTimeout(() => sockets.abort(), 30);
    await assert.rejects(
      kernels.socketRoundTripsAsync(1e9, 10, { interpreter: interp, signal: sockets.signal, mode: 'release' }),
      isAbort,
    );
    assert.equal(interp.stats().holder, 0);
  } finally {
    interp.destroy();
  }
});

test('an already aborted signal stops the call before any work', async () => {
  const main = Interpreter.main();
  const signal = AbortSignal.abort(new Error('before'));
  await assert.rejects(
    kernels.countPrimesAsync(0, 10, { signal }),
    (e) => isAbort(e) && (e as Error).cause instanceof Error,
  );
  main.acquire();
  try {
    assert.throws(() => kernels.countPrimes(0, 10, { signal }), isAbort);
    assert.throws(() => reference.countPrimes(0, 10, { signal }), isAbort);
    const flag = new AbortFlag();
    flag.abort();
    assert.throws(() => kernels.sum(new Float64Array(10), { signal: flag }), isAbort);
    flag.reset();
    assert.equal(kernels.sum(new Float64Array(10), { signal: flag }), 0);
    assert.ok(main.isHeldByCurrentThread());
  } finally {
    main.release();
  }
});
