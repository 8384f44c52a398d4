// Regression: `await pool.shutdown()` after a process pool broke (a child SIGKILLed after a busy
// batch, so its siblings were idle and unreferenced) never settled: the pool killed the siblings
// but nothing kept the event loop alive until their exit, and Node ended the program with status 13
// ("unsettled top-level await"). Each case runs in a child program whose last line must print.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const tasks = fileURLToPath(new URL('./fixtures/executor-tasks.js', import.meta.url));

function runProgram(body: string): { status: number | null; stdout: string; stderr: string; error?: Error } {
  const script = `
    import { ThreadPoolExecutor, ProcessPoolExecutor } from ${JSON.stringify(index)};
    const task = (name) => ({ module: ${JSON.stringify(tasks)}, export: name });
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    ${body}
    console.log('settled', pool.broken);`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
}

describe('shutdown of a broken pool settles', () => {
  it('process pool: a child SIGKILLed after a busy batch; await shutdown() settles', () => {
    const result = runProgram(`
      const pool = new ProcessPoolExecutor({ maxWorkers: 3 });
      await Promise.all(Array.from({ length: 60 }, (_, i) => pool.submit(task('add'), i, 1)));
      process.kill(pool.stats().workers[0].pid, 'SIGKILL');
      while (!pool.broken) await sleep(5);
      await pool.shutdown();`);
    assert.equal(result.error, undefined, 'the program ended within 30 s');
    assert.equal(result.status, 0, `exit status ${result.status}: ${result.stderr}`);
    assert.equal(result.stdout.trim(), 'settled true');
  });

  it('process pool: shutdown() called right as the child dies settles', () => {
    const result = runProgram(`
      const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
      await Promise.all(Array.from({ length: 20 }, (_, i) => pool.submit(task('add'), i, 1)));
      const doomed = pool.submit(task('sleep'), 10_000, 'never');
      await sleep(50);
      for (const w of pool.stats().workers) process.kill(w.pid, 'SIGKILL');
      await doomed.catch(() => {});
      await pool.shutdown({ cancelFutures: true });`);
    assert.equal(result.error, undefined, 'the program ended within 30 s');
    assert.equal(result.status, 0, `exit status ${result.status}: ${result.stderr}`);
    assert.equal(result.stdout.trim(), 'settled true');
  });

  it('thread pool: a worker that exits after a busy batch; await shutdown() settles', () => {
    const result = runProgram(`
      const pool = new ThreadPoolExecutor({ maxWorkers: 3 });
      await Promise.all(Array.from({ length: 60 }, (_, i) => pool.submit(task('add'), i, 1)));
      await pool.submit(task('exitNow'), 4).catch(() => {});
      while (!pool.broken) await sleep(5);
      await pool.shutdown();`);
    assert.equal(result.error, undefined, 'the program ended within 30 s');
    assert.equal(result.status, 0, `exit status ${result.status}: ${result.stderr}`);
    assert.equal(result.stdout.trim(), 'settled true');
  });
});
