// Subinterpreters as in Python 3.12: new Interpreter({ ownLock: false }) shares the main lock (the
// legacy Py_NewInterpreter), ownLock: true has its own (PEP 684 OWN_GIL); InterpreterPoolExecutor
// (Python 3.14's name) is a pool of own-lock interpreters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, InterpreterPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

test('ownLock: false shares the main lock: holding one is holding the other', async () => {
  const main = Interpreter.main();
  const sub = new Interpreter({ ownLock: false });
  assert.equal(sub.ownLock, false);
  assert.equal(main.ownLock, true);
  assert.notEqual(sub, main);
  assert.equal(sub.id, main.id, 'its id names the lock it runs under: the main one');
  await main.acquireAsync();
  try {
    assert.equal(sub.isHeldByCurrentThread(), true);
    assert.throws(() => sub.acquire(), /already holds/);
  } finally {
    sub.release(); // the same lock
  }
  assert.equal(main.isHeldByCurrentThread(), false);
  sub.destroy(); // leaves the main interpreter and its lock alone
  assert.equal(Interpreter.byId(0), main);
  assert.ok(Interpreter.ids().includes(0));
});

test('ownLock: true (the default) has a lock of its own: holding the main lock does not hold it', async () => {
  const own = new Interpreter({ ownLock: true });
  try {
    assert.equal(own.ownLock, true);
    assert.notEqual(own.id, 0);
    await Interpreter.main().acquireAsync();
    try {
      assert.equal(own.isHeldByCurrentThread(), false);
      await own.acquireAsync(); // free: another lock
      own.release();
    } finally {
      Interpreter.main().release();
    }
  } finally {
    own.destroy();
  }
});

test('bad ownLock options are refused naming the argument', () => {
  assert.throws(() => new Interpreter({ ownLock: 'no' as never }), { name: 'TypeError', message: /ownLock/ });
  assert.throws(() => new Interpreter({ ownLock: false, policy: 'fifo' }), { name: 'RangeError', message: /ownLock/ });
  assert.throws(() => new Interpreter({ ownLock: false, switchIntervalUs: 100 }), /ownLock/);
  const own = new Interpreter();
  try {
    assert.throws(() => own.configure({ ownLock: false }), { name: 'TypeError', message: /ownLock is fixed/ });
  } finally {
    own.destroy();
  }
});

test('InterpreterPoolExecutor runs each worker under an interpreter with its own lock', async () => {
  const pool = new InterpreterPoolExecutor({ maxWorkers: 2 });
  try {
    const infos = await Promise.all(
      Array.from({ length: 8 }, () => pool.submit<{ interpreterId: number; held: boolean }>(task('lockInfo'))),
    );
    for (const info of infos) {
      assert.notEqual(info.interpreterId, 0, 'not the main lock');
      assert.equal(info.held, true);
    }
  } finally {
    await pool.shutdown();
  }
  const plain = new InterpreterPoolExecutor();
  assert.ok(plain instanceof ThreadPoolExecutor);
  await plain.shutdown();
  assert.throws(() => new InterpreterPoolExecutor({ lock: 'shared' } as never), {
    name: 'RangeError',
    message: /lock/,
  });
  assert.throws(() => new InterpreterPoolExecutor(null as never), { name: 'TypeError', message: /options/ });
});
