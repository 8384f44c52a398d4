import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter } from 'gil-lab';
import { startLockWorker } from './fixtures/lock-helpers.js';

test('releasing a lock one does not hold is an Error that says to acquire', () => {
  const interp = new Interpreter();
  try {
    assert.throws(() => interp.release(), {
      name: 'Error',
      message: /does not hold the interpreter lock; acquire\(\) it first/,
    });
    assert.throws(() => interp.checkpoint(), /does not hold/);
    assert.equal(interp.isHeldByCurrentThread(), false);
    assert.throws(() => interp.allowThreads(() => 1), /does not hold/);
  } finally {
    interp.destroy();
  }
});

test('acquiring twice on one thread is an Error that says to release first', async () => {
  const interp = new Interpreter();
  try {
    await interp.acquireAsync();
    assert.throws(() => interp.acquire(), /already holds the interpreter lock; release\(\) it/);
    await assert.rejects(interp.acquireAsync(), /already holds/);
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('allowThreads() releases around fn and re-acquires, also when fn throws', async () => {
  const interp = new Interpreter();
  try {
    await interp.acquireAsync();
    const inside = interp.allowThreads(() => interp.isHeldByCurrentThread());
    assert.equal(inside, false);
    assert.equal(interp.isHeldByCurrentThread(), true);
    assert.throws(
      () =>
        interp.allowThreads(() => {
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(interp.isHeldByCurrentThread(), true);
    assert.throws(() => interp.allowThreads(42 as never), TypeError);
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('bad options are TypeError/RangeError naming the argument', () => {
  assert.throws(() => new Interpreter({ policy: 'gil' as never }), {
    name: 'RangeError',
    message: /policy must be one of/,
  });
  assert.throws(() => new Interpreter({ switchIntervalUs: 0 }), { name: 'RangeError', message: /switchIntervalUs/ });
  assert.throws(() => new Interpreter({ switchIntervalUs: -5 }), { name: 'RangeError', message: /switchIntervalUs/ });
  assert.throws(() => new Interpreter({ switchIntervalUs: 10_000_001 }), {
    name: 'RangeError',
    message: /switchIntervalUs/,
  });
  assert.throws(() => new Interpreter({ switchIntervalUs: Number.NaN }), {
    name: 'RangeError',
    message: /switchIntervalUs/,
  });
  assert.throws(() => new Interpreter({ switchIntervalUs: '5' as never }), {
    name: 'TypeError',
    message: /switchIntervalUs/,
  });
  assert.throws(() => new Interpreter({ checkInterval: 1.5 }), { name: 'RangeError', message: /checkInterval/ });
  assert.throws(() => new Interpreter(7 as never), TypeError);
  assert.throws(() => Interpreter.byId(1.5), { name: 'RangeError', message: /id/ });
  assert.throws(() => Interpreter.byId(-1), { name: 'RangeError', message: /id/ });
  assert.throws(() => Interpreter.byId('0' as never), { name: 'TypeError', message: /id/ });
  assert.throws(() => Interpreter.byId(987654), { name: 'RangeError', message: /no interpreter with id 987654/ });
  assert.throws(() => Interpreter.main().startTrace({ capacity: 0 }), { name: 'RangeError', message: /capacity/ });
});

test('the native layer checks its arguments too', async () => {
  const { native } = await import('#internal/native');
  assert.throws(() => native.interpreterCreate('nope'), { name: 'RangeError', message: /policy/ });
  assert.throws(() => native.interpreterCreate(undefined, -1), { name: 'RangeError', message: /switchIntervalUs/ });
  assert.throws(() => native.interpreterCreate(5 as never), { name: 'TypeError', message: /policy/ });
  assert.throws(() => native.lockStats(Number.NaN), { name: 'RangeError', message: /id/ });
  assert.throws(() => native.lockStats({} as never), { name: 'TypeError', message: /id/ });
  assert.throws(() => (native.interpreterHandle as () => unknown)(), TypeError);
});

test('a worker that exits while holding the lock leaves it free, and it is counted', async () => {
  const interp = new Interpreter();
  try {
    const { held } = await startLockWorker({ scenario: 'exit-holding', interpreterId: interp.id }).result;
    assert.equal(held, true);
    // Would wait forever if the thread-exit hook had not released it.
    await interp.acquireAsync();
    interp.release();
    assert.equal(interp.stats().releasesOnThreadExit, 1);
  } finally {
    interp.destroy();
  }
});

test('the watchdog reports a thread that waited longer than the bound, with the holder id', async () => {
  const interp = new Interpreter();
  try {
    const stalls: import('gil-lab').StallReport[] = [];
    interp.startWatchdog({ boundMs: 5, onStall: (r) => stalls.push(r), pollMs: 5 });
    await interp.acquireAsync();
    // A worker waits while we hold the lock and never checkpoint.
    const waiter = startLockWorker({ scenario: 'acquire-once', interpreterId: interp.id });
    const deadline = Date.now() + 5000;
    while (stalls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    interp.release();
    const { threadId } = await waiter.result;
    interp.stopWatchdog();
    assert.equal(stalls.length, 1);
    assert.equal(stalls[0]!.holderThreadId, Interpreter.currentThreadId());
    assert.equal(stalls[0]!.waiterThreadId, threadId);
    assert.ok(stalls[0]!.waitedNs >= 5e6);
    assert.equal(interp.stats().stalls, 1);
    assert.throws(() => interp.startWatchdog({ boundMs: 0 }), { name: 'RangeError', message: /boundMs/ });
    assert.throws(() => interp.startWatchdog({ boundMs: 5, onStall: 3 as never }), {
      name: 'TypeError',
      message: /onStall/,
    });
  } finally {
    interp.destroy();
  }
});
