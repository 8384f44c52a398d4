// ensure()/releaseEnsured() as PyGILState_Ensure/Release: they nest with a per-thread counter, a
// release of an ensure() that found the lock held leaves it held, misuse is a clear error; plain
// acquire() stays strict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Interpreter } from 'gil-lab';

test('ensure() nests: only the outermost, which took the lock, lets it go', () => {
  const interp = new Interpreter();
  try {
    assert.equal(interp.ensure(), 'unlocked');
    assert.equal(interp.ensure(), 'locked');
    assert.equal(interp.ensure(), 'locked');
    assert.equal(interp.ensureDepth, 3);
    assert.equal(interp.stats().acquisitions, 1, 'the nested ensures took nothing');
    interp.releaseEnsured('locked');
    interp.releaseEnsured();
    assert.equal(interp.isHeldByCurrentThread(), true);
    interp.releaseEnsured('unlocked');
    assert.equal(interp.isHeldByCurrentThread(), false);
    assert.equal(interp.ensureDepth, 0);
  } finally {
    interp.destroy();
  }
});

test('releasing an ensure() that did not take the lock leaves it held', async () => {
  const interp = new Interpreter();
  try {
    await interp.acquireAsync();
    assert.equal(interp.ensure(), 'locked');
    interp.releaseEnsured('locked');
    assert.equal(interp.isHeldByCurrentThread(), true);
    // Plain acquire() stays strict.
    assert.throws(() => interp.acquire(), /already holds/);
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('misuse of ensure()/releaseEnsured() is a clear error', async () => {
  const interp = new Interpreter();
  try {
    assert.throws(() => interp.releaseEnsured(), /without a matching ensure\(\)/);
    interp.ensure();
    interp.ensure();
    assert.throws(() => interp.releaseEnsured('unlocked'), /does not match the innermost ensure\(\)/);
    assert.throws(() => interp.releaseEnsured('nope' as never), { name: 'RangeError', message: /state/ });
    assert.equal(interp.ensureDepth, 2, 'a refused release changes nothing');
    interp.release(); // behind the ensures' back
    assert.throws(() => interp.releaseEnsured(), /no longer holds/);
    assert.equal(interp.ensureDepth, 2);
  } finally {
    interp.destroy();
  }
});

test("the counter is per thread: another thread's ensure() waits for the lock and takes it", async () => {
  const interp = new Interpreter();
  try {
    assert.equal(interp.ensure(), 'unlocked');
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.url).then(({ Interpreter }) => {
        const interp = Interpreter.byId(workerData.id);
        const state = interp.ensure();
        const depth = interp.ensureDepth;
        interp.releaseEnsured(state);
        parentPort.postMessage({ state, depth, held: interp.isHeldByCurrentThread() });
      });`;
    const url = import.meta.resolve('gil-lab');
    const worker = new Worker(code, { eval: true, workerData: { url, id: interp.id } });
    const message = new Promise<{ state: string; depth: number; held: boolean }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(interp.ensureDepth, 1);
    interp.releaseEnsured();
    assert.deepEqual(await message, { state: 'unlocked', depth: 1, held: false });
    await new Promise((r) => worker.once('exit', r));
  } finally {
    interp.destroy();
  }
});
