// Regression: a process pool with serialization: 'json' silently turned values JSON cannot carry
// (undefined, NaN, Infinity, functions, Map, Set, BigInt, symbols, cycles, ...) into null, {} or
// nothing, in arguments and in results. Now an argument that cannot be carried fails its submit's
// future with a TypeError naming where it is (args[0].a[1]), a result that cannot be carried fails
// its task, the pool goes on, and a void task's undefined result arrives as undefined.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProcessPoolExecutor, type ModuleTask } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';
import { JSON_UNCARRIABLE } from './fixtures/json-values.js';

const JSON_URL = new URL('./fixtures/json-values.js', import.meta.url);
const jsonTask = (name: string): ModuleTask => ({ module: JSON_URL, export: name });
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe("process pool, serialization: 'json': values JSON cannot carry are refused", () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1, serialization: 'json' });
  after(() => pool.shutdown());

  for (const [name, { make, path }] of Object.entries(JSON_UNCARRIABLE)) {
    it(`an argument: ${name}`, async () => {
      const value = make();
      await assert.rejects(Promise.resolve(pool.submit(task('echo'), 'fine', value)), (error: Error) => {
        assert.equal(error.name, 'TypeError');
        assert.match(error.message, new RegExp(`args\\[1\\]${escape(path)}(?![.\\[])`));
        assert.match(error.message, /json/i);
        return true;
      });
    });

    // A void task's undefined result is carried (by the result's status, not by JSON): tested below.
    if (name === 'undefined') continue;
    it(`a result: ${name}`, async () => {
      await assert.rejects(Promise.resolve(pool.submit(jsonTask('makeValue'), name)), (error: Error) => {
        assert.equal(error.name, 'TypeError');
        assert.match(error.message, new RegExp(`result${escape(path)}(?![.\\[])`));
        return true;
      });
      assert.equal(pool.broken, false);
    });
  }

  it('values JSON carries arrive unchanged; a void result arrives as undefined', async () => {
    const value = { a: [1, 'x', null, true, { b: -2.5 }], s: 'é' };
    assert.deepEqual(await pool.submit(task('echo'), value), value);
    assert.equal(await pool.submit(jsonTask('returnNothing')), undefined);
  });

  it('map(): an item that cannot be carried fails at its position', async () => {
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const v of pool.map(task('square'), [1, 2, NaN, 4])) seen.push(v);
    }, TypeError);
    assert.deepEqual(seen, [1, 4]);
  });

  it('initializerArgs that cannot be carried: a TypeError at construction', () => {
    assert.throws(
      () =>
        new ProcessPoolExecutor({
          serialization: 'json',
          initializer: task('initialize'),
          initializerArgs: [{ when: new Date(0) }],
        }),
      { name: 'TypeError', message: /initializerArgs\[0\]\.when/ },
    );
  });
});
