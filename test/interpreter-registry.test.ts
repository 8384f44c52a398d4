import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter } from 'gil-lab';
import { startLockWorker } from './fixtures/lock-helpers.js';

test('Interpreter.main() is id 0 and the same object each time', () => {
  const main = Interpreter.main();
  assert.equal(main.id, 0);
  assert.equal(Interpreter.main(), main);
  assert.equal(Interpreter.byId(0), main);
  assert.equal(main.policy, 'cpython');
  assert.equal(main.switchIntervalUs, 5000);
  assert.ok(Interpreter.ids().includes(0));
});

test('per-interpreter locks are independent (PEP 684)', async () => {
  const a = new Interpreter();
  const b = new Interpreter({ policy: 'fifo', switchIntervalUs: 1000 });
  try {
    assert.notEqual(a.id, b.id);
    assert.equal(b.policy, 'fifo');
    await a.acquireAsync();
    // A worker takes b's lock while we hold a's: it must not wait for us.
    const other = startLockWorker({ scenario: 'try-acquire', interpreterId: b.id });
    await other.result;
    assert.equal(b.stats().contendedAcquisitions, 0);
    assert.equal(b.stats().acquisitions, 1);
    assert.equal(a.stats().acquisitions, 1);
    a.release();
  } finally {
    a.destroy();
    b.destroy();
  }
});

test('byId() from another worker reaches the same lock', async () => {
  const interp = new Interpreter();
  try {
    await interp.acquireAsync();
    const shared = new SharedArrayBuffer(16);
    const other = startLockWorker({ scenario: 'acquire-once', interpreterId: interp.id, shared });
    // The worker blocks on our lock: it cannot have got in while we hold it.
    const deadline = Date.now() + 10_000;
    while (interp.stats().waiters === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    assert.equal(interp.stats().waiters, 1);
    assert.equal(interp.stats().holder, Interpreter.currentThreadId());
    assert.equal(Atomics.load(new Int32Array(shared), 1), 0);
    interp.release();
    const { threadId, record } = await other.result;
    const stats = interp.stats();
    assert.equal(stats.contendedAcquisitions, 1);
    assert.ok(record !== undefined && record.threadId === threadId && record.contendedAcquisitions === 1);
  } finally {
    interp.destroy();
  }
});

test('an interpreter can be destroyed only while its lock is free', async () => {
  const interp = new Interpreter();
  await interp.acquireAsync();
  assert.throws(() => interp.destroy(), /held or waited on/);
  interp.release();
  const id = interp.id;
  interp.destroy();
  assert.throws(() => Interpreter.byId(id), RangeError);
  assert.ok(!Interpreter.ids().includes(id));
  assert.throws(() => Interpreter.main().destroy(), /main interpreter cannot be destroyed/);
});

test('configure() changes the policy and interval, and refuses while held', async () => {
  const interp = new Interpreter();
  try {
    interp.configure({ policy: 'legacy', checkInterval: 7 });
    assert.equal(interp.policy, 'legacy');
    assert.equal(interp.checkInterval, 7);
    interp.configure({ switchIntervalUs: 250 });
    assert.equal(interp.switchIntervalUs, 250);
    await interp.acquireAsync();
    assert.throws(() => interp.configure({ policy: 'fifo' }), /held or waited on/);
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('Interpreter.current() is main unless this thread set its own default', () => {
  assert.equal(Interpreter.current(), Interpreter.main());
  const interp = new Interpreter();
  try {
    Interpreter.setThreadDefault(interp);
    assert.equal(Interpreter.current(), interp);
    Interpreter.setThreadDefault(undefined);
    assert.equal(Interpreter.current(), Interpreter.main());
    assert.throws(() => Interpreter.setThreadDefault({} as never), TypeError);
  } finally {
    interp.destroy();
  }
});
