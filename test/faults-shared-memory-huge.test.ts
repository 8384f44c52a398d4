// A SharedMemory segment larger than the biggest ArrayBuffer Node can make (buffer.constants.MAX_LENGTH,
// 4 GiB on Node 20) must be refused with a RangeError, leaving no segment behind. The addon maps the
// segment first and then asks for an external ArrayBuffer over it; when Node refuses, it has already
// run the finalizer, and node-addon-api's ArrayBuffer::New deletes the finalizer data a second time:
// "free(): double free detected", the process aborts. The case runs in a child process so that a
// crash is reported here rather than taking the test runner down. (The segment is sparse: nothing
// near 4 GiB is ever touched.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { constants } from 'node:buffer';

const script = `
import { SharedMemory } from 'gil-lab';
const size = Number(process.argv[1]);
try {
  const shm = SharedMemory.create(size, { name: process.argv[2] });
  shm.unlink();
  shm.close();
  console.log(JSON.stringify({ outcome: 'created', size: shm.size }));
} catch (error) {
  console.log(JSON.stringify({ outcome: 'error', isError: error instanceof Error, name: error?.name, message: error?.message }));
}
`;

test('SharedMemory.create() above the largest ArrayBuffer is a RangeError, not a crash', { timeout: 60_000 }, () => {
  const name = `gil_lab_fault_huge_${process.pid}`;
  const size = constants.MAX_LENGTH + 4096;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, String(size), name], {
    encoding: 'utf8',
    timeout: 50_000,
  });
  const leftover = readdirSync('/dev/shm').filter((f) => f === name);
  rmSync(`/dev/shm/${name}`, { force: true }); // a crashed child leaves it behind
  const how = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.status}`;
  assert.equal(child.signal, null, `the process ${how}:\n${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 0, `the process ${how}:\n${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(report.outcome, 'error', `a ${size}-byte segment was created: ${child.stdout}`);
  assert.equal(report.isError, true);
  assert.equal(report.name, 'RangeError', `expected a RangeError: ${child.stdout}`);
  assert.deepEqual(leftover, [], 'the refused segment was left in /dev/shm');
});
