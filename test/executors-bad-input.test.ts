// Bad input: shut-down executors, unknown tasks, missing modules and exports, arguments that
// cannot be cloned, bad options. Each is an error that says what is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutorShutdownError, ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import { task, TASKS_URL } from './fixtures/executor-helpers.js';

describe('bad input', () => {
  it('submit() and map() after shutdown() throw ExecutorShutdownError', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await pool.shutdown();
    assert.throws(() => pool.submit(task('add'), 1, 2), ExecutorShutdownError);
    assert.throws(() => pool.submit(task('add'), 1, 2), /shut down/);
    assert.throws(() => pool.map(task('square'), [1]), ExecutorShutdownError);
    await pool.shutdown(); // idempotent
  });

  it('tasks are checked at submit where possible', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      assert.throws(
        // @ts-expect-error: an unknown kernel name does not compile either
        () => pool.submit('noSuchKernel'),
        (e: Error) => e instanceof RangeError && /unknown kernel "noSuchKernel"/.test(e.message),
      );
      assert.throws(
        () => pool.submit((() => 1) as never),
        (e: Error) => e instanceof TypeError && /functions cannot be sent/.test(e.message),
      );
      assert.throws(
        () => pool.submit({ module: './relative.js', export: 'x' }),
        (e: Error) => e instanceof TypeError && /absolute path/.test(e.message),
      );
      assert.throws(() => pool.submit({ module: 'https://example.com/x.js' }), TypeError);
      assert.throws(() => pool.submit({ module: TASKS_URL, export: '' }), TypeError);
      const missing = fileURLToPath(new URL('./no-such-module.js', TASKS_URL));
      assert.throws(
        () => pool.submit({ module: missing, export: 'x' }),
        (e: NodeJS.ErrnoException) => e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(missing),
      );
      // The export can only be seen once the worker loads the module: the future says it.
      await assert.rejects(pool.submit(task('noSuchExport')), (e: Error) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /has no export "noSuchExport"/);
        assert.match(e.message, /add/, 'it lists the exports there are');
        return true;
      });
      // Path strings, file: URL strings and URL objects all work; export defaults to 'default'.
      assert.equal(await pool.submit({ module: fileURLToPath(TASKS_URL), export: 'add' }, 1, 2), 3);
      assert.equal(await pool.submit({ module: TASKS_URL.href, export: 'add' }, 2, 2), 4);
      assert.equal(await pool.submit({ module: TASKS_URL }, 21), 42);
    } finally {
      await pool.shutdown();
    }
  });

  for (const [name, make] of [
    ['threads', () => new ThreadPoolExecutor({ maxWorkers: 1 })],
    ['processes', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
  ] as const) {
    it(`arguments that cannot be cloned fail clearly, the others go on (${name})`, async () => {
      const pool = make();
      try {
        assert.throws(
          () => pool.submit(task('echo'), () => 1),
          (e: Error) => e instanceof TypeError && /args\[0\]/.test(e.message),
        );
        assert.throws(() => pool.submit(task('echo'), Symbol('s')), TypeError);
        const good = pool.submit(task('add'), 1, 2);
        const bad = pool.submit(task('echo'), { nested: () => 1 });
        const good2 = pool.submit(task('add'), 3, 4);
        await assert.rejects(bad, (e: Error) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, /arguments of task .*#echo cannot be sent/);
          return true;
        });
        assert.equal(await good, 3);
        assert.equal(await good2, 7);
      } finally {
        await pool.shutdown();
      }
    });
  }

  it('bad options are TypeError/RangeError naming the option', () => {
    for (const maxWorkers of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new ThreadPoolExecutor({ maxWorkers }),
        (e: Error) => e instanceof RangeError && /maxWorkers/.test(e.message),
      );
      assert.throws(() => new ProcessPoolExecutor({ maxWorkers }), RangeError);
    }
    assert.throws(
      () => new ThreadPoolExecutor({ maxWorkers: '2' as never }),
      (e: Error) => e instanceof TypeError && /maxWorkers/.test(e.message),
    );
    assert.throws(
      () => new ThreadPoolExecutor({ lock: 'global' as never }),
      (e: Error) => e instanceof RangeError && /lock/.test(e.message),
    );
    assert.throws(() => new ThreadPoolExecutor({ policy: 'gil' as never }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ lock: 'free', policy: 'cpython' }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ lock: 'isolated', switchIntervalUs: 0 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ idleTimeoutMs: -1 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ pipelineDepth: 0 }), RangeError);
    assert.throws(() => new ProcessPoolExecutor({ serialization: 'xml' as never }), RangeError);
    assert.throws(() => new ProcessPoolExecutor({ execArgv: 'x' as never }), TypeError);
  });

  it('shutdown() options are checked', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await assert.rejects(pool.shutdown({ wait: 'yes' as never }), TypeError);
    await pool.shutdown();
  });
});
