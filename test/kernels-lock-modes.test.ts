// Hold mode vs release mode under a real interpreter lock, from several threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, kernels, reference } from 'gil-lab';
import { startKernelWorker, waitFor } from './fixtures/kernel-helpers.js';

const SPIN_NS = 300_000_000; // 300 ms of work per thread

test('hold mode: two threads under one lock interleave through drop requests and switches', async () => {
  const interp = new Interpreter({ switchIntervalUs: 2000 });
  try {
    const shared = new SharedArrayBuffer(16);
    const run = (index: number) =>
      startKernelWorker({
        scenario: 'run',
        interpreterId: interp.id,
        kernel: 'spin',
        args: [SPIN_NS],
        mode: 'hold',
        shared,
        index,
      });
    const [a, b] = [run(0), run(1)];
    const [ra, rb] = await Promise.all([a.result, b.result]);
    const stats = interp.stats();
    assert.ok(stats.dropRequests >= 2, `drop requests: ${stats.dropRequests}`);
    assert.ok(stats.forcedSwitches >= 2, `forced switches: ${stats.forcedSwitches}`);
    assert.ok(stats.switches >= 3, `switches: ${stats.switches}`);
    // Interleaved, not one after the other: each kernel started before the other one ended.
    assert.ok(ra.startNs < rb.endNs && rb.startNs < ra.endNs, 'the two kernels overlapped in time');
    // Both threads yielded in the middle of their kernels, so each got the lock several times.
    for (const r of [ra, rb]) {
      assert.ok((r.record?.acquisitions ?? 0) >= 2, `thread ${r.threadId} acquired once only`);
      assert.equal(r.held, true, 'the lock is held again after the kernel');
    }
    assert.equal(ra.result, rb.result, 'the same work');
  } finally {
    interp.destroy();
  }
});

test('release mode: kernels run with the lock free, so another thread takes it at once', async () => {
  const interp = new Interpreter({ switchIntervalUs: 2000 });
  try {
    const shared = new SharedArrayBuffer(16);
    const cells = new Int32Array(shared);
    const run = (index: number) =>
      startKernelWorker({
        scenario: 'run',
        interpreterId: interp.id,
        kernel: 'spin',
        args: [SPIN_NS],
        mode: 'release',
        shared,
        index,
      });
    const [a, b] = [run(0), run(1)];
    // Both started (holding the lock) and both are inside their kernels (which let go of it).
    await waitFor(() => Atomics.load(cells, 0) === 2 && interp.stats().holder === 0);
    interp.resetStats();
    await interp.acquireAsync();
    const finishedWhenAcquired = Atomics.load(cells, 1);
    // Counted now: once this thread lets go, the two workers take the lock back as their kernels
    // end, and one may have to ask the other to drop it (on a loaded machine it did).
    const dropsWhenAcquired = interp.stats().dropRequests;
    interp.release();
    const [ra, rb] = await Promise.all([a.result, b.result]);
    assert.equal(finishedWhenAcquired, 0, 'this thread got the lock while both kernels were still running');
    assert.equal(dropsWhenAcquired, 0, 'nobody had to ask a holder to drop the lock');
    assert.ok(ra.startNs < rb.endNs && rb.startNs < ra.endNs, 'the two kernels ran at the same time');
    assert.equal(ra.held, true);
    assert.equal(rb.held, true);
  } finally {
    interp.destroy();
  }
});

test('blocking I/O in release mode lets go of the lock around each call', async () => {
  const interp = new Interpreter({ switchIntervalUs: 2000 });
  try {
    const shared = new SharedArrayBuffer(16);
    const cells = new Int32Array(shared);
    const sleeper = startKernelWorker({
      scenario: 'run',
      interpreterId: interp.id,
      kernel: 'sleep',
      args: [300_000_000],
      mode: 'release',
      shared,
      index: 0,
    });
    await waitFor(() => Atomics.load(cells, 0) === 1 && interp.stats().holder === 0);
    interp.resetStats();
    await interp.acquireAsync();
    const finished = Atomics.load(cells, 1);
    interp.release();
    await sleeper.result;
    assert.equal(finished, 0, 'the lock was free during the sleep');
    assert.equal(interp.stats().dropRequests, 0);
  } finally {
    interp.destroy();
  }
});

test('sync kernels need the lock: an Error says to acquire it (policy none excepted)', () => {
  const interp = new Interpreter();
  try {
    for (const mode of ['hold', 'release'] as const) {
      assert.throws(
        () => kernels.countPrimes(0, 10, { interpreter: interp, mode }),
        (e: Error) => {
          assert.equal(e.constructor, Error);
          assert.match(e.message, /does not hold interpreter \d+'s lock; acquire it first/);
          return true;
        },
      );
    }
    assert.throws(() => reference.countPrimes(0, 10, { interpreter: interp }), /acquire it first/);
    interp.acquire();
    assert.equal(kernels.countPrimes(0, 100, { interpreter: interp }), 25);
    assert.equal(kernels.countPrimes(0, 100, { interpreter: interp, mode: 'release' }), 25);
    assert.equal(reference.countPrimes(0, 100_000, { interpreter: interp }), 9592);
    assert.ok(interp.isHeldByCurrentThread());
    interp.release();
  } finally {
    interp.destroy();
  }
  const free = new Interpreter({ policy: 'none' });
  try {
    assert.equal(kernels.countPrimes(0, 100, { interpreter: free }), 25);
    assert.equal(kernels.countPrimes(0, 100, { interpreter: free, mode: 'release' }), 25);
    assert.equal(reference.countPrimes(0, 100_000, { interpreter: free }), 9592);
  } finally {
    free.destroy();
  }
});

test('async hold mode: the pool thread takes the lock itself, so it waits while another thread holds it', async () => {
  const interp = new Interpreter({ switchIntervalUs: 1000 });
  try {
    interp.acquire();
    let settled = false;
    const pending = kernels.spinAsync(1_000_000, { interpreter: interp }).then((v) => {
      settled = true;
      return v;
    });
    await waitFor(() => interp.stats().dropRequests >= 1); // the pool thread is waiting and asks for the lock
    assert.equal(settled, false);
    interp.release();
    assert.ok((await pending) > 0);
    const stats = interp.stats();
    assert.ok(stats.threads.length >= 2, 'a second thread (the pool thread) took the lock');
    assert.equal(interp.isHeldByCurrentThread(), false);
    // Release mode needs no lock at all, even while another thread holds it.
    interp.acquire();
    assert.equal(await kernels.countPrimesAsync(0, 1000, { interpreter: interp, mode: 'release' }), 168);
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('the lock is as before the call after errors, in both modes', async () => {
  const interp = new Interpreter();
  try {
    interp.acquire();
    for (const mode of ['hold', 'release'] as const) {
      assert.throws(
        () => kernels.fileRead('/nonexistent/gil-lab/file', undefined, { interpreter: interp, mode }),
        /open '\/nonexistent\/gil-lab\/file'/,
      );
      assert.ok(interp.isHeldByCurrentThread(), `held after an OS error (${mode})`);
      assert.throws(() => kernels.countPrimes(10, 5, { interpreter: interp, mode }), RangeError);
      assert.ok(interp.isHeldByCurrentThread(), `held after a bad argument (${mode})`);
    }
    interp.release();
    await assert.rejects(
      kernels.fileReadAsync('/nonexistent/gil-lab/file', undefined, { interpreter: interp }),
      /open/,
    );
    assert.equal(interp.isHeldByCurrentThread(), false);
    assert.equal(interp.stats().holder, 0, 'the pool thread let go of the lock after the error');
  } finally {
    interp.destroy();
  }
});
