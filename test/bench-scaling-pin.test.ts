// The addon's scheduling calls (native/addon/scheduling.cpp) through bench/scaling's typed wrapper,
// and --pin end to end: a real thread pool and a real process pool of the sweep put each worker on
// a CPU of its own and report it, with the thread's or the process's CPU time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { scalingModes } from '#internal/bench/scaling/modes';
import { scheduling } from '#internal/bench/scaling/scheduling-native';
import { PRIMES_LO } from '#internal/bench/scaling/workloads';

const linux = process.platform === 'linux';

test('clocks: monotonic across calls, thread CPU time grows with work', () => {
  const m0 = scheduling.monotonicClockNs();
  const c0 = scheduling.threadCpuTimeNs();
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += i % 7;
  assert.ok(x > 0);
  assert.ok(scheduling.monotonicClockNs() > m0);
  assert.ok(scheduling.threadCpuTimeNs() > c0);
});

test('bad arguments are errors naming the argument', () => {
  const pin = scheduling.pinThread as (...args: unknown[]) => void;
  assert.throws(() => pin(), { name: 'TypeError', message: /one argument, cpu/ });
  assert.throws(() => pin('0'), { name: 'TypeError', message: /cpu must be a number/ });
  if (linux) {
    assert.throws(() => pin(-1), { name: 'RangeError', message: /cpu must be an integer in \[0, \d+\), got -1/ });
    assert.throws(() => pin(0.5), { name: 'RangeError', message: /got 0\.5/ });
    assert.throws(() => pin(Number.NaN), { name: 'RangeError', message: /got NaN/ });
    assert.throws(() => pin(1e9), { name: 'RangeError', message: /cpu must be an integer/ });
  }
  assert.throws(() => (scheduling.currentCpu as (...a: unknown[]) => unknown)(1), {
    name: 'TypeError',
    message: /currentCpu takes no arguments/,
  });
});

test(
  'pinning a worker thread moves that thread only',
  { skip: !linux && 'thread affinity is Linux-only' },
  async () => {
    const before = scheduling.allowedCpus();
    assert.ok(before.length >= 1);
    const target = before.at(-1)!;
    const url = import.meta.resolve('#internal/bench/scaling/scheduling-native');
    const worker = new Worker(
      `import(${JSON.stringify(url)}).then(({ scheduling }) => {
       scheduling.pinThread(${target});
       require('node:worker_threads').parentPort.postMessage({ allowed: scheduling.allowedCpus(), cpu: scheduling.currentCpu() });
     });`,
      { eval: true },
    );
    const reply = await new Promise<{ allowed: number[]; cpu: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.deepEqual(reply.allowed, [target]);
    assert.equal(reply.cpu, target);
    assert.deepEqual(scheduling.allowedCpus(), before);
  },
);

for (const name of ['free-threaded', 'processes']) {
  test(
    `--pin: a ${name} pool puts each worker on a CPU of its own and reports it`,
    { skip: !linux && 'Linux-only', timeout: 60_000 },
    async () => {
      const mode = scalingModes().find((m) => m.name === name)!;
      const allowed = scheduling.allowedCpus();
      const workers = Math.min(2, allowed.length);
      const pool = await mode.startPool(workers, { pin: true });
      try {
        const tasks = Array.from({ length: workers }, () => ({
          task: 'countPrimes',
          args: [PRIMES_LO, PRIMES_LO + 2000],
        }));
        // Twice: the second batch finds the workers already pinned.
        for (let round = 0; round < 2; round++) {
          const run = await pool.run(tasks);
          assert.equal(run.results.length, workers);
          assert.ok(run.results.every((r) => typeof r === 'number' && r > 0));
          const timings = run.timing!.tasks;
          assert.equal(timings.length, workers);
          const byWorker = new Map(timings.map((t) => [`${t.pid}/${t.threadId}`, t.pinnedCpu]));
          for (const t of timings) {
            assert.ok(t.pinnedCpu !== null && allowed.includes(t.pinnedCpu), `pinned to ${t.pinnedCpu}`);
            assert.equal(t.cpuAtStart, t.pinnedCpu);
            assert.equal(t.cpuAtEnd, t.pinnedCpu);
            assert.equal(t.cpuClock, name === 'processes' ? 'process' : 'thread');
            assert.ok(t.startNs >= run.timing!.dispatchNs && t.endNs >= t.startNs);
            assert.ok(t.cpuNs > 0);
          }
          // Distinct workers got distinct CPUs (while there are CPUs to go round).
          const cpus = [...byWorker.values()];
          assert.equal(new Set(cpus).size, cpus.length);
        }
      } finally {
        await pool.close();
      }
    },
  );
}

test('without --pin the workers are not pinned and still report their timing', { timeout: 60_000 }, async () => {
  const mode = scalingModes().find((m) => m.name === 'threads-hold')!;
  assert.equal(mode.lockShared, true);
  const pool = await mode.startPool(2, { pin: false });
  try {
    const run = await pool.run([{ task: 'countPrimes', args: [PRIMES_LO, PRIMES_LO + 1000] }]);
    assert.equal(run.timing!.tasks[0]!.pinnedCpu, null);
    assert.equal(run.timing!.tasks[0]!.cpuClock, 'thread');
  } finally {
    await pool.close();
  }
});
