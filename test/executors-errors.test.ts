// An error thrown in a task arrives with its class (built-in ones), name, message, stack, cause
// and own properties; non-Error throws arrive as the thrown value; results that cannot be sent
// back fail with a TypeError that says so.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('errors thrown in tasks', () => {
  const threads = new ThreadPoolExecutor({ maxWorkers: 1 });
  const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
  after(async () => {
    await threads.shutdown();
    await processes.shutdown();
  });

  for (const [name, pool] of [
    ['threads', threads],
    ['processes', processes],
  ] as const) {
    it(`keep message, stack and cause (${name})`, async () => {
      const error = (await pool.submit(task('throwWithCause'), 'it broke').exception()) as Error;
      assert.ok(error instanceof Error);
      assert.equal(error.message, 'it broke');
      assert.match(error.stack ?? '', /throwWithCause/, 'the stack shows the frame in the worker');
      assert.match(error.stack ?? '', /executor-tasks\.js/);
      const cause = error.cause as Error;
      assert.ok(cause instanceof RangeError, 'built-in classes survive');
      assert.equal(cause.message, 'low-level failure');
      assert.match(cause.stack ?? '', /throwWithCause/);
    });

    it(`keep a custom name and own properties (${name})`, async () => {
      const error = (await pool.submit(task('throwCustom')).exception()) as Error & { field: string; code: string };
      assert.equal(error.name, 'ValidationError');
      assert.equal(error.message, 'bad field');
      assert.equal(error.field, 'age');
      assert.equal(error.code, 'E_VALIDATION');
      assert.match(error.stack ?? '', /^ValidationError: bad field/);
    });

    it(`rethrow non-Error values as they were (${name})`, async () => {
      await assert.rejects(pool.submit(task('throwString')), (e) => e === 'a plain string');
      await assert.rejects(pool.submit(task('throwObject')), (e) => {
        assert.deepEqual(e, { reason: 'an object', code: 7 });
        return true;
      });
    });

    it(`reject with a rejected Promise's reason (${name})`, async () => {
      await assert.rejects(pool.submit(task('rejectAsync'), 'async failure'), {
        name: 'TypeError',
        message: 'async failure',
      });
    });

    it(`fail clearly when the result cannot be sent back (${name})`, async () => {
      await assert.rejects(pool.submit(task('returnFunction')), (e: Error) => {
        assert.ok(e instanceof TypeError || e instanceof Error);
        assert.match(e.message, /result could not be sent back|could not be cloned|function/i);
        return true;
      });
      assert.equal(await pool.submit(task('add'), 1, 1), 2, 'the worker is still fine');
    });
  }
});
