// An async kernel works on a typed array from a libuv pool thread. If the array's ArrayBuffer is
// detached meanwhile (transferred with structuredClone or postMessage) and its new owner is
// collected, the memory is freed under the running kernel. The kernel must then finish correctly or
// reject with an Error; it must not read or write freed memory (a segfault in the plain build, a
// heap-use-after-free report under `npm run test:asan`). Each case runs in a child process, so a
// crash is reported here rather than taking the test runner down.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/detach-during-async.js', import.meta.url));

for (const kernel of ['matmul', 'triad']) {
  test(`${kernel}Async survives its array's buffer being detached and freed mid-run`, { timeout: 120_000 }, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', fixture, kernel], { encoding: 'utf8', timeout: 100_000 });
    const how = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.status}`;
    assert.equal(child.signal, null, `the process ${how}:\n${child.stderr.slice(-4000)}`);
    assert.equal(child.status, 0, `the process ${how}:\n${child.stderr.slice(-4000)}`);
    const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    if (report.outcome === 'error') {
      assert.equal(report.isError, true, `rejected with a non-Error: ${child.stdout}`);
    } else {
      assert.equal(report.correct, true, `finished with a wrong result: ${child.stdout}`);
    }
  });
}
