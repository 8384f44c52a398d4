// SharedMemory.close() unmaps the segment at once. It used to leave the mapping to the ArrayBuffer's
// finalizer, so 200 × (create 16 MiB, fill, close, unlink) kept 3.2 GB of shared memory mapped and
// resident until a garbage collection that V8 had no reason to run. Views made before close() are
// detached (length 0), so nothing can touch the unmapped memory. Runs in a child so the RSS figure
// is that loop's alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1024 * 1024;
const ROUNDS = 200;
const SEGMENT = 16 * MiB;

const script = `
import { readFileSync } from 'node:fs';
import { SharedMemory } from 'gil-lab';
const [rounds, size] = process.argv.slice(1).map(Number);
const mapped = () => readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.includes('/dev/shm/gil_lab_')).length;
const before = process.memoryUsage().rss;
let peakMapped = 0;
let views = [];
for (let i = 0; i < rounds; i++) {
  const shm = SharedMemory.create(size);
  const view = shm.view(Uint8Array);
  view.fill(7);
  shm.close();
  shm.unlink();
  peakMapped = Math.max(peakMapped, mapped());
  if (i < 3) views.push(view);
}
// V8 is told about the mapped bytes (external memory, which drives GC pressure) while the segment is open.
const external0 = process.memoryUsage().external;
const probe = SharedMemory.create(size);
const external1 = process.memoryUsage().external;
probe.close();
probe.unlink();
const external2 = process.memoryUsage().external;
console.log(JSON.stringify({
  externalWhileOpen: external1 - external0,
  externalAfterClose: external2 - external0,
  rssGrowth: process.memoryUsage().rss - before,
  mappedAfter: mapped(),
  peakMapped,
  viewLengths: views.map((v) => v.length),
  readsUndefined: views.map((v) => v[0] === undefined),
}));
`;

test('SharedMemory.close() unmaps: 200 × 16 MiB create/fill/close/unlink keeps no memory', { timeout: 120_000 }, () => {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, String(ROUNDS), String(SEGMENT)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  assert.equal(child.status, 0, `child ${child.signal ?? child.status}: ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    externalWhileOpen: number;
    externalAfterClose: number;
    rssGrowth: number;
    mappedAfter: number;
    peakMapped: number;
    viewLengths: number[];
    readsUndefined: boolean[];
  };
  assert.equal(report.mappedAfter, 0, 'closed segments are still mapped');
  assert.equal(report.peakMapped, 0, 'a closed segment stayed mapped until later');
  // The leak is ROUNDS × SEGMENT (3.2 GB); a few segments' worth of slack covers the allocator.
  assert.ok(
    report.rssGrowth < 8 * SEGMENT,
    `RSS grew by ${Math.round(report.rssGrowth / MiB)} MiB over ${ROUNDS} closed ${SEGMENT / MiB} MiB segments`,
  );
  assert.ok(
    report.externalWhileOpen >= SEGMENT,
    `external memory grew by ${report.externalWhileOpen} for an open segment`,
  );
  assert.ok(
    report.externalAfterClose < SEGMENT,
    `external memory still counts ${report.externalAfterClose} after close`,
  );
  assert.deepEqual(report.viewLengths, [0, 0, 0], 'views made before close() are detached');
  assert.deepEqual(report.readsUndefined, [true, true, true], 'reading a detached view touches no memory');
});
