// process.exit() in the parent ends its process pool's children too, even one whose task blocks
// its JavaScript thread (a hold-mode kernel, a blocking wait). Such a child never saw its IPC
// channel close: it ran on as an orphan (at 100% CPU for a spin) until its task ended, an hour later.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { processAlive as alive, TASKS_URL } from './fixtures/executor-helpers.js';

const ENTRY = import.meta.resolve('gil-lab');

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

const SCRIPT = `
const { ProcessPoolExecutor } = await import(process.env.GIL_LAB_ENTRY);
const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
const tasks = [
  pool.submit('spin', 3_600e9),
  pool.submit({ module: new URL(process.env.GIL_LAB_TASKS), export: 'blockFor' }, 3_600_000),
];
while (!tasks.every((f) => f.running())) await new Promise((resolve) => setTimeout(resolve, 10));
await new Promise((resolve) => setTimeout(resolve, 100)); // inside their tasks now
console.log(JSON.stringify(pool.stats().workers.map((w) => w.pid)));
process.exit(7);
`;

describe('a process pool ends with its parent', () => {
  it('process.exit() while children run tasks that block their thread leaves no child running', async () => {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      env: { ...process.env, GIL_LAB_ENTRY: ENTRY, GIL_LAB_TASKS: TASKS_URL.href },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(out.status, 7, out.stderr);
    const pids = JSON.parse(out.stdout.trim()) as number[];
    assert.equal(pids.length, 2);
    const left: number[] = [];
    for (const pid of pids) if (!(await gone(pid, 5_000))) left.push(pid);
    for (const pid of left) process.kill(pid, 'SIGKILL'); // do not leave them to the next test
    assert.deepEqual(left, [], 'children still running after their parent exited');
  });
});
