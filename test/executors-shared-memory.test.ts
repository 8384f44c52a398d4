// SharedMemory: create/attach by name, the same bytes in a child process (no copy), close and
// unlink, and views that stay harmless after close.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor, SharedMemory } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('SharedMemory', () => {
  it('round trip across processes', async () => {
    const shm = SharedMemory.create(8 * 1000);
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      const values = shm.view(Float64Array);
      assert.equal(values.length, 1000);
      for (let i = 0; i < values.length; i++) values[i] = i;
      // The child attaches by name, sums the values and doubles them in place.
      const sum = await pool.submit(task('sumAndDoubleShared'), shm.name, 1000);
      assert.equal(sum, (999 * 1000) / 2);
      for (let i = 0; i < values.length; i += 97) assert.equal(values[i], 2 * i);
      assert.equal(values[999], 1998);
    } finally {
      await pool.shutdown();
      shm.close();
      shm.unlink();
    }
  });

  it('attach sees the same bytes; close detaches views; unlink removes the name', () => {
    const a = SharedMemory.create(64, { name: `gil_lab_test_${process.pid}` });
    const b = SharedMemory.attach(a.name);
    try {
      assert.equal(b.size, 64);
      const va = a.view(Int32Array);
      const vb = b.view(Int32Array);
      va[3] = 42;
      assert.equal(vb[3], 42);
      assert.equal(b.atomicCompareExchange(3, 42, 7), 42);
      assert.equal(a.atomicLoad(3), 7);
      assert.equal(a.atomicAdd(3, 5), 7);
      assert.equal(vb[3], 12);

      a.close();
      assert.equal(a.closed, true);
      assert.equal(va.length, 0, 'a view of a closed segment is empty');
      assert.equal(va[3], undefined, 'and reading it touches no memory');
      assert.throws(() => a.buffer, /closed/);
      assert.throws(() => a.atomicLoad(0), /closed/);
      a.close(); // idempotent
      assert.equal(vb[3], 12, 'the other mapping is unaffected');
    } finally {
      b.unlink();
      b.close();
    }
    assert.throws(
      () => SharedMemory.attach(a.name),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
  });

  it('rejects bad input', () => {
    assert.throws(() => SharedMemory.create(0), RangeError);
    assert.throws(() => SharedMemory.create(-1), RangeError);
    assert.throws(() => SharedMemory.create('8' as never), TypeError);
    assert.throws(() => SharedMemory.attach('a/b'), RangeError);
    assert.throws(() => SharedMemory.attach(''), RangeError);
    assert.throws(() => new SharedMemory({ name: 'x', size: 8 }), TypeError);
    const shm = SharedMemory.create(16);
    try {
      assert.throws(
        () => SharedMemory.create(16, { name: shm.name }),
        (e: NodeJS.ErrnoException) => e.code === 'EEXIST',
      );
      assert.throws(() => shm.atomicLoad(4), RangeError);
      assert.throws(() => shm.atomicStore(0, 2 ** 40), RangeError);
      assert.throws(() => shm.view(Float64Array, 3), RangeError);
      assert.throws(() => shm.view(Float64Array, 8, 2), RangeError);
    } finally {
      shm.close();
      shm.unlink();
    }
  });
});
