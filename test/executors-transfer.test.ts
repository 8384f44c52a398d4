// Data to and from workers: transfer() moves buffers to a thread (and back) instead of copying;
// a SharedArrayBuffer is shared with threads (changes are seen on both sides).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor, transfer } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('transfer and sharing', () => {
  const threads = new ThreadPoolExecutor({ maxWorkers: 1 });
  after(() => threads.shutdown());

  it("transfer() moves an argument: the sender's buffer is detached", async () => {
    const data = new Float64Array(1000).fill(2);
    const length = await threads.submit(task('addInPlace'), transfer(data), 1);
    assert.equal(length, 1000);
    assert.equal(data.byteLength, 0, 'moved, not copied');
  });

  it('a task can move its result back', async () => {
    const result = (await threads.submit(task('makeBuffer'), 500)) as Float64Array;
    assert.ok(result instanceof Float64Array);
    assert.equal(result.length, 500);
    assert.equal(result[499], 1.5);
  });

  it('a SharedArrayBuffer is shared, not copied', async () => {
    const shared = new Float64Array(new SharedArrayBuffer(8 * 100)).fill(1);
    await threads.submit(task('addInPlace'), shared, 41);
    assert.equal(shared[0], 42);
    assert.equal(shared[99], 42);
  });

  it('processes get a copy (transfer() is accepted and means nothing there)', async () => {
    const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      const data = new Float64Array(10).fill(1);
      assert.equal(await processes.submit(task('addInPlace'), transfer(data), 1), 10);
      assert.equal(data[0], 1, "the parent's copy is unchanged");
      const back = (await processes.submit(task('makeBuffer'), 3)) as Float64Array;
      assert.deepEqual([...back], [1.5, 1.5, 1.5]);
    } finally {
      await processes.shutdown();
    }
  });

  it('transfer() checks its arguments', () => {
    assert.throws(() => transfer({ a: 1 }), TypeError);
    assert.throws(() => transfer(new ArrayBuffer(1), 'x' as never), TypeError);
  });
});
