// Shared memory that would be silently copied: a SharedArrayBuffer sent to a process pool arrives
// as a copy (the child writes 42, the parent still reads 0), and a SharedMemory view sent to a
// thread is structured-cloned (a copy) although attaching by name shares it. The pool warns, once
// per pool, and says what to do instead; what really is shared (a SharedArrayBuffer to a thread,
// a segment's name) draws no warning.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ProcessPoolExecutor, SharedMemory, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

const CODE = 'GIL_LAB_SHARED_MEMORY_COPIED';
let warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  if ((warning as Error & { code?: string }).code === CODE) warnings.push(warning);
};
/** process.emitWarning delivers on a later tick. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

describe('shared memory sent where it would be copied', () => {
  it('a SharedArrayBuffer sent to a process pool warns once per pool, naming SharedMemory', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      const values = new Float64Array(new SharedArrayBuffer(8));
      // What the warning is about: the child changed its copy, the parent sees nothing.
      assert.equal(await pool.submit(task('addInPlace'), values, 42), 1);
      assert.equal(values[0], 0);
      await pool.submit(task('addInPlace'), { nested: [values] }, 1).catch(() => undefined);
      await pool.submit(task('addInPlace'), values, 1);
      await settle();
      assert.equal(warnings.length, 1, 'one warning per pool');
      assert.match(warnings[0]!.message, /SharedArrayBuffer/);
      assert.match(warnings[0]!.message, /copy/);
      assert.match(warnings[0]!.message, /SharedMemory/);
      assert.match(warnings[0]!.message, /args\[0\]/);
    } finally {
      await pool.shutdown();
    }
    // A second pool warns again (once per pool).
    const second = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      await second.submit(task('addInPlace'), new Float64Array(new SharedArrayBuffer(8)), 1);
      await settle();
      assert.equal(warnings.length, 2);
    } finally {
      await second.shutdown();
    }
  });

  it('a SharedArrayBuffer nested in an argument of map() to a process pool warns too', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      const data = new Int32Array(new SharedArrayBuffer(8));
      for await (const _ of pool.map(task('echo'), [{ data }])) void _;
      await settle();
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /args\[0\]\.data/);
    } finally {
      await pool.shutdown();
    }
  });

  it('a SharedMemory view sent to a thread pool warns once, naming attach by name', async () => {
    const shm = SharedMemory.create(64);
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, lock: 'free' });
    try {
      const view = shm.view(Float64Array);
      assert.equal(await pool.submit(task('addInPlace'), view, 5), 8);
      assert.equal(view[0], 0, 'the thread wrote into a copy');
      await pool.submit(task('addInPlace'), view, 5);
      await pool.submit(task('echo'), shm.buffer);
      await settle();
      assert.equal(warnings.length, 1, 'one warning per pool');
      assert.match(warnings[0]!.message, /SharedMemory/);
      assert.match(warnings[0]!.message, /attach/);
      assert.match(warnings[0]!.message, new RegExp('worker thread'));
    } finally {
      await pool.shutdown();
      shm.close();
      shm.unlink();
    }
  });

  it('a SharedMemory view sent to a process pool warns as well', async () => {
    const shm = SharedMemory.create(64);
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      await pool.submit(task('addInPlace'), shm.view(Float64Array), 5);
      await settle();
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /SharedMemory/);
    } finally {
      await pool.shutdown();
      shm.close();
      shm.unlink();
    }
  });

  it('what is really shared draws no warning: a SharedArrayBuffer to a thread, a segment by name to a process', async () => {
    const threads = new ThreadPoolExecutor({ maxWorkers: 1, lock: 'free' });
    const shm = SharedMemory.create(8 * 10);
    const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      const values = new Float64Array(new SharedArrayBuffer(8));
      await threads.submit(task('addInPlace'), values, 42);
      assert.equal(values[0], 42, 'the thread wrote into the shared buffer');
      await processes.submit(task('sumAndDoubleShared'), shm.name, 10);
      await threads.submit(task('echo'), new Float64Array(4));
      await settle();
      assert.deepEqual(warnings, []);
    } finally {
      await threads.shutdown();
      await processes.shutdown();
      shm.close();
      shm.unlink();
    }
  });
});
