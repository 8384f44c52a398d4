// wait() with each returnWhen, its timeout (which never rejects), and asCompleted().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asCompleted, Future, ThreadPoolExecutor, TimeoutError, wait, type CompletedFuture } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('wait and asCompleted', () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  before(() => pool.start());
  after(() => pool.shutdown());

  it('ALL_COMPLETED waits for every future', async () => {
    const fs = [pool.submit(task('sleep'), 30, 'a'), pool.submit(task('add'), 1, 2)];
    const { done, notDone } = await wait(fs);
    assert.equal(done.size, 2);
    assert.equal(notDone.size, 0);
  });

  it('FIRST_COMPLETED returns once one is done', async () => {
    const slow = pool.submit(task('sleep'), 400, 'slow');
    const fast = pool.submit(task('add'), 1, 2);
    const { done, notDone } = await wait([slow, fast], { returnWhen: 'FIRST_COMPLETED' });
    assert.ok(done.has(fast));
    assert.ok(notDone.has(slow));
    await slow;
  });

  it('FIRST_EXCEPTION returns at the first failure, or when all are done', async () => {
    const slow = pool.submit(task('sleep'), 400, 'slow');
    const bad = pool.submit(task('throwString'));
    const { done, notDone } = await wait([slow, bad], { returnWhen: 'FIRST_EXCEPTION' });
    assert.ok(done.has(bad));
    assert.ok(notDone.has(slow));
    const ok = [pool.submit(task('add'), 1, 1), pool.submit(task('add'), 2, 2)];
    const all = await wait(ok, { returnWhen: 'FIRST_EXCEPTION' });
    assert.equal(all.done.size, 2);
    await slow;
  });

  it('a timeout returns what is done so far', async () => {
    const slow = pool.submit(task('sleep'), 300, 'slow');
    const { done, notDone } = await wait([slow], { timeoutMs: 10 });
    assert.equal(done.size, 0);
    assert.ok(notDone.has(slow));
    await slow;
  });

  it('asCompleted yields futures in completion order, done ones first', async () => {
    const already = new Future<string>();
    already.cancel();
    const slow = pool.submit(task('sleep'), 400, 'slow');
    const fast = pool.submit(task('sleep'), 10, 'fast');
    const order: CompletedFuture<unknown>[] = [];
    for await (const f of asCompleted<unknown>([slow, fast, already])) order.push(f);
    assert.deepEqual(order, [already, fast, slow]);
    assert.ok(
      order.every((f) => f instanceof Future),
      'yields the futures themselves, not their values',
    );
  });

  it('asCompleted throws TimeoutError when futures remain after the timeout', async () => {
    const slow = pool.submit(task('sleep'), 300, 'slow');
    const fast = pool.submit(task('add'), 1, 1);
    const seen: CompletedFuture<unknown>[] = [];
    await assert.rejects(async () => {
      for await (const f of asCompleted<unknown>([slow, fast], { timeoutMs: 50 })) seen.push(f);
    }, TimeoutError);
    assert.deepEqual(seen, [fast]);
    await slow;
  });

  it('rejects bad arguments', async () => {
    await assert.rejects(wait([42 as never]), TypeError);
    await assert.rejects(wait([], { returnWhen: 'SOMETIMES' as never }), RangeError);
    assert.throws(() => asCompleted(null as never), TypeError);
  });
});
