// { module, name } (instead of { module, export }) used to be read as the module's default export:
// { name: 'square' } silently ran the fixture's default export (double) instead. The key is named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

test('a module task given "name" but no "export" is refused, naming the key', async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    const { module } = task('square');
    assert.throws(
      () => pool.submit({ module, name: 'square' } as never, 3),
      (e: unknown) => e instanceof TypeError && /task\.name/.test(e.message) && /export/.test(e.message),
    );
  } finally {
    await pool.shutdown();
  }
});
