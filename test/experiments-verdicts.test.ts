// Each verdict is a pure function of the rows: fed synthetic measurements, it must say "holds" for
// figures that match the claim and "does not hold" for figures that contradict it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  convoyVerdict,
  cpuBoundVerdict,
  ioBoundVerdict,
  ipcVerdict,
  killVerdict,
  legacyGilVerdict,
  memoryBoundVerdict,
  refcountVerdict,
  startupVerdict,
  switchIntervalVerdict,
  type ConvoyRow,
  type CpuBoundRow,
  type IoBoundRow,
  type IpcRow,
  type KillRow,
  type LegacyGilRow,
  type MemoryBoundRow,
  type RefcountRow,
  type StartupRow,
  type SwitchIntervalRow,
} from '#internal/experiments/index';

function cpuRows(speedups: Record<string, number>): CpuBoundRow[] {
  return Object.entries(speedups).map(([mode, speedup]) => ({
    mode: mode as CpuBoundRow['mode'],
    workers: mode.endsWith('serial') ? 1 : 2,
    seconds: 1 / speedup,
    speedup,
    efficiency: speedup / 2,
    heldFraction: 0.99,
    waitFraction: 0.98,
    switches: 100,
  }));
}

test('cpu-bound: holds when shared-lock threads stay at 1× and the escapes scale', () => {
  const rows = cpuRows({
    serial: 1,
    'threads-hold': 0.97,
    'threads-release': 1.95,
    processes: 1.9,
    subinterpreters: 1.92,
    'free-threaded': 1.9,
    'js-serial': 1,
    'js-threads-hold': 0.98,
  });
  const verdict = cpuBoundVerdict(rows, { workers: 2, cpus: 2 });
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /threads-hold 0\.97×/);
  assert.match(verdict.text, /threads-release 1\.95×/);
});

test('cpu-bound: does not hold when threads-hold speeds up or an escape mode does not', () => {
  const sped = cpuBoundVerdict(cpuRows({ serial: 1, 'threads-hold': 1.8, 'threads-release': 1.9 }), {
    workers: 2,
    cpus: 2,
  });
  assert.equal(sped.holds, false);
  assert.match(sped.text, /threads-hold sped up/);
  const slow = cpuBoundVerdict(cpuRows({ serial: 1, 'threads-hold': 1, processes: 1.1 }), { workers: 2, cpus: 2 });
  assert.equal(slow.holds, false);
  assert.match(slow.text, /processes stayed below/);
  const oneCpu = cpuBoundVerdict(cpuRows({ serial: 1, 'threads-hold': 1, processes: 1.9 }), { workers: 2, cpus: 1 });
  assert.equal(oneCpu.holds, null, 'one CPU: not testable');
  assert.match(oneCpu.text, /cannot be tested/);
});

test('cpu-bound: does not hold when a mode ran its shares on fewer workers than asked, and says so', () => {
  const rows = cpuRows({ serial: 1, 'threads-hold': 0.97, 'threads-release': 1.95, processes: 1.9 });
  const crowded = cpuBoundVerdict(rows, {
    workers: 2,
    cpus: 2,
    crowded: [{ mode: 'threads-hold', workers: 2, threads: 1 }],
  });
  assert.equal(crowded.holds, false);
  assert.match(crowded.text, /ran threads-hold's 2 shares on only 1 worker\b/);
  // Crowding at another worker count (a sweep) does not decide the verdict at --workers.
  const elsewhere = cpuBoundVerdict(rows, {
    workers: 2,
    cpus: 2,
    crowded: [{ mode: 'processes', workers: 3, threads: 2 }],
  });
  assert.equal(elsewhere.holds, true, elsewhere.text);
});

function legacyRows(legacy: number, cpython: number): LegacyGilRow[] {
  return [
    { policy: 'cpython', threads: 1, seconds: 1, relative: 1, switches: 0, wakeups: 0, dropRequests: 0 },
    {
      policy: 'cpython',
      threads: 2,
      seconds: cpython,
      relative: cpython,
      switches: 80,
      wakeups: 160,
      dropRequests: 80,
    },
    { policy: 'legacy', threads: 1, seconds: 1, relative: 1, switches: 0, wakeups: 0, dropRequests: 0 },
    { policy: 'legacy', threads: 2, seconds: legacy, relative: legacy, switches: 400, wakeups: 15000, dropRequests: 0 },
  ];
}

test('legacy-gil: holds when the old lock slows N threads down and the new one does not', () => {
  const verdict = legacyGilVerdict(legacyRows(1.4, 1.01), { cpus: 2 });
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /1\.4×/);
  assert.match(verdict.text, /15,000 wake-ups/);
});

test('legacy-gil: does not hold without a slowdown, or on one CPU', () => {
  assert.equal(legacyGilVerdict(legacyRows(1.02, 1.0), { cpus: 2 }).holds, false);
  assert.equal(legacyGilVerdict(legacyRows(1.3, 1.3), { cpus: 2 }).holds, false);
  assert.equal(legacyGilVerdict(legacyRows(1.4, 1.0), { cpus: 1 }).holds, null, 'one CPU: not testable');
});

function ioRows(threadsSpeedup: number): IoBoundRow[] {
  return [
    { mode: 'serial', threads: 1, operations: 300, seconds: 0.3, opsPerSecond: 1000, speedup: 1 },
    {
      mode: 'threads',
      threads: 4,
      operations: 300,
      seconds: 0.3 / threadsSpeedup,
      opsPerSecond: 1000 * threadsSpeedup,
      speedup: threadsSpeedup,
    },
    { mode: 'threads-holding', threads: 4, operations: 300, seconds: 0.31, opsPerSecond: 970, speedup: 0.97 },
  ];
}

test('io-bound: holds when threads multiply the throughput, not otherwise', () => {
  const good = ioBoundVerdict(ioRows(3.8));
  assert.equal(good.holds, true, good.text);
  assert.match(good.text, /3\.8×/);
  assert.match(good.text, /0\.97×/);
  assert.equal(ioBoundVerdict(ioRows(1.2)).holds, false);
});

function convoyRows(lockedOps: number, freeOps: number): ConvoyRow[] {
  return [
    { policy: 'cpython', cpuThreads: 0, p50Us: 50, p99Us: 90, maxUs: 120, opsPerSecond: 15000 },
    { policy: 'cpython', cpuThreads: 1, p50Us: 5000, p99Us: 10000, maxUs: 10500, opsPerSecond: lockedOps },
    { policy: 'none', cpuThreads: 0, p50Us: 50, p99Us: 90, maxUs: 130, opsPerSecond: 15000 },
    { policy: 'none', cpuThreads: 1, p50Us: 60, p99Us: 200, maxUs: 900, opsPerSecond: freeOps },
  ];
}

test('convoy: holds when the I/O thread slows down under the lock and not without it', () => {
  const verdict = convoyVerdict(convoyRows(150, 12000), { switchIntervalUs: 5000 });
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /150 round trips\/s/);
  assert.match(verdict.text, /policy none/);
});

test('convoy: does not hold when the lock costs nothing, or when no lock is faster', () => {
  assert.equal(convoyVerdict(convoyRows(14000, 15000), { switchIntervalUs: 5000 }).holds, false);
  assert.equal(convoyVerdict(convoyRows(150, 160), { switchIntervalUs: 5000 }).holds, false);
  const onlyNone = convoyRows(150, 12000).filter((row) => row.policy === 'none');
  assert.equal(convoyVerdict(onlyNone, { switchIntervalUs: 5000 }).holds, null, 'policy none alone: not testable');
});

test('convoy: fast I/O that mostly wins the lock back still convoys: the claim is judged by throughput and the longest wait, not p99', () => {
  // As measured on a busy 2-core machine with a fast echo: 8× slower beside a CPU thread, p99 small
  // (most round trips took the lock back at once), but the slow ones waited a whole interval.
  const rows: ConvoyRow[] = [
    { policy: 'cpython', cpuThreads: 0, p50Us: 3.6, p99Us: 9, maxUs: 40, opsPerSecond: 190_000 },
    { policy: 'cpython', cpuThreads: 1, p50Us: 4.4, p99Us: 20, maxUs: 5100, opsPerSecond: 23_500 },
    { policy: 'none', cpuThreads: 1, p50Us: 4, p99Us: 30, maxUs: 300, opsPerSecond: 105_000 },
  ];
  const verdict = convoyVerdict(rows, { switchIntervalUs: 5000 });
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /longest wait 5\.10 ms/);
  // No wait near an interval: the lock did not make it wait, whatever the throughput.
  const noWait = rows.map((row) => (row.cpuThreads === 1 && row.policy === 'cpython' ? { ...row, maxUs: 200 } : row));
  assert.equal(convoyVerdict(noWait, { switchIntervalUs: 5000 }).holds, false);
});

function switchRows(meanAtLongest: number, shareAtLongest: number): SwitchIntervalRow[] {
  return [
    {
      switchIntervalMs: 0.1,
      cpuOpsPerSecond: 1000,
      cpuShare: 0.55,
      ioP50Us: 60,
      ioP99Us: 300,
      ioMeanUs: 150,
      ioOpsPerSecond: 6600,
      switches: 1300,
      handoffP50Us: 30,
      sliceUs: 6,
    },
    {
      switchIntervalMs: 20,
      cpuOpsPerSecond: 1800,
      cpuShare: shareAtLongest,
      ioP50Us: 60,
      ioP99Us: 20000,
      ioMeanUs: meanAtLongest,
      ioOpsPerSecond: 1e6 / meanAtLongest,
      switches: 26,
      handoffP50Us: 20,
      sliceUs: 6,
    },
  ];
}

test("switch-interval: holds when I/O latency and the CPU thread's lock share grow with the interval", () => {
  const verdict = switchIntervalVerdict(switchRows(2500, 0.97));
  assert.match(
    verdict.text,
    /drop request reached the new holder in 25\.0 µs at the median, with the CPU thread's kernel checking every 6\.00 µs/,
  );
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /16\.7×/);
});

test('switch-interval: does not hold without the trade', () => {
  assert.equal(switchIntervalVerdict(switchRows(200, 0.97)).holds, false);
  assert.equal(switchIntervalVerdict(switchRows(2500, 0.54)).holds, false);
  assert.equal(switchIntervalVerdict(switchRows(2500, 0.97).slice(0, 1)).holds, false);
});

function refRows(racyLost: number, atomicNs: number, atomicLost = 0): RefcountRow[] {
  const row = (
    strategy: RefcountRow['strategy'],
    threads: number,
    lostUpdates: number,
    nsPerOp: number,
  ): RefcountRow => ({
    strategy,
    workload: 'uniform',
    threads,
    operations: 1000,
    lostUpdates,
    prematureFrees: 0,
    nsPerOp,
  });
  return [
    row('locked', 1, 0, 1.2),
    row('locked', 2, 0, 1.2),
    row('racy', 1, 0, 1.2),
    row('racy', 2, racyLost, 10),
    row('atomic', 1, 0, atomicNs),
    row('atomic', 2, atomicLost, 20),
    row('biased', 1, 0, 1.5),
    row('biased', 2, 0, 12),
  ];
}

test('refcount: holds when racy counting loses updates, the others do not, and atomics cost more', () => {
  const verdict = refcountVerdict(refRows(5000, 5));
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /lost 5,000 updates/);
});

test('refcount: the owner-heavy rows are reported beside the uniform ones, and their losses count too', () => {
  const owner = (strategy: RefcountRow['strategy'], nsPerOp: number, lostUpdates = 0): RefcountRow => ({
    strategy,
    workload: 'owner-heavy',
    threads: 2,
    operations: 1000,
    lostUpdates,
    prematureFrees: 0,
    nsPerOp,
  });
  const verdict = refcountVerdict([...refRows(5000, 5), owner('atomic', 20), owner('biased', 4)]);
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(
    verdict.text,
    /90% of updates by the owner, biased counting took 4\.00 ns per update against 20\.0 ns atomic \(5× cheaper\)/,
  );
  assert.equal(refcountVerdict([...refRows(5000, 5), owner('atomic', 20), owner('biased', 4, 7)]).holds, false);
});

test('refcount: does not hold without a race, with a safe strategy losing updates, or with free atomics', () => {
  assert.equal(refcountVerdict(refRows(0, 5)).holds, false);
  assert.equal(refcountVerdict(refRows(5000, 5, 3)).holds, false);
  assert.equal(refcountVerdict(refRows(5000, 1.1)).holds, false);
});

// On one CPU the threads never run at the same time: a race is rarely caught, and its absence
// proves nothing (refcount said the claim "does not hold" there).
test('refcount on 1 CPU with no race caught: not testable, saying it is the one CPU', () => {
  const verdict = refcountVerdict(refRows(0, 5), { cpus: 1 });
  assert.equal(verdict.holds, null, verdict.text);
  assert.match(verdict.text, /1 CPU\b/);
});

test('refcount on 1 CPU still judges a race caught, and a safe strategy that lost updates', () => {
  assert.equal(refcountVerdict(refRows(40, 5), { cpus: 1 }).holds, true);
  assert.equal(refcountVerdict(refRows(0, 5, 3), { cpus: 1 }).holds, false);
});

test('refcount on 2 CPUs with no race caught still does not hold', () => {
  assert.equal(refcountVerdict(refRows(0, 5), { cpus: 2 }).holds, false);
});

function memoryRows(memorySpeedup: number, computeSpeedup: number): MemoryBoundRow[] {
  return [
    { kernel: 'sum', workers: 1, seconds: 1, gbPerSecond: 10, speedup: 1 },
    { kernel: 'sum', workers: 4, seconds: 1 / memorySpeedup, gbPerSecond: 10 * memorySpeedup, speedup: memorySpeedup },
    { kernel: 'triad', workers: 1, seconds: 1, gbPerSecond: 9, speedup: 1 },
    { kernel: 'triad', workers: 4, seconds: 1 / memorySpeedup, gbPerSecond: 9 * memorySpeedup, speedup: memorySpeedup },
    { kernel: 'countPrimes', workers: 1, seconds: 1, gbPerSecond: null, speedup: 1 },
    { kernel: 'countPrimes', workers: 4, seconds: 1 / computeSpeedup, gbPerSecond: null, speedup: computeSpeedup },
  ];
}

test('memory-bound: holds when memory-bound kernels scale clearly less than compute', () => {
  const verdict = memoryBoundVerdict(memoryRows(1.6, 3.9));
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /bandwidth/);
});

test('memory-bound: a machine whose memory keeps up with all its cores says "not testable", not "does not agree"', () => {
  const verdict = memoryBoundVerdict(memoryRows(3.8, 3.9));
  assert.equal(verdict.holds, null);
  assert.match(verdict.text, /still scaled/);
  assert.match(verdict.text, /keeps up with 4 cores/);
});

test('startup: holds when processes are slower and bigger than OS threads, not otherwise', () => {
  const rows = (processMs: number, processRss: number): StartupRow[] => [
    { kind: 'os-thread', samples: 5, startupMs: 40, rssBytes: 10 * 2 ** 20 },
    { kind: 'worker-thread', samples: 5, startupMs: 500, rssBytes: 90 * 2 ** 20 },
    { kind: 'process', samples: 5, startupMs: processMs, rssBytes: processRss },
  ];
  const verdict = startupVerdict(rows(100, 50 * 2 ** 20));
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /2\.5×/);
  assert.match(verdict.text, /OS thread/);
  assert.match(verdict.text, /Node worker thread \(Node's cost/);
  assert.equal(startupVerdict(rows(30, 50 * 2 ** 20)).holds, false);
  assert.equal(startupVerdict(rows(100, 5 * 2 ** 20)).holds, false);
});

test('startup: the verdict is about the OS thread, not the slower Node worker thread', () => {
  // A process faster than a Node worker but slower than an OS thread: the claim holds.
  const verdict = startupVerdict([
    { kind: 'os-thread', samples: 5, startupMs: 0.05, rssBytes: 64 * 2 ** 10 },
    { kind: 'worker-thread', samples: 5, startupMs: 90, rssBytes: 20 * 2 ** 20 },
    { kind: 'process', samples: 5, startupMs: 60, rssBytes: 50 * 2 ** 20 },
  ]);
  assert.equal(verdict.holds, true, verdict.text);
  assert.equal(startupVerdict([{ kind: 'process', samples: 5, startupMs: 60, rssBytes: 1 }]).holds, false);
});

function ipcRows(sharedSeconds: number): IpcRow[] {
  const bytes = 64 * 2 ** 20;
  const row = (method: IpcRow['method'], seconds: number): IpcRow => ({
    method,
    payloadBytes: bytes,
    seconds,
    gbPerSecond: bytes / seconds / 1e9,
  });
  return [
    row('thread copy', 0.03),
    row('thread SharedArrayBuffer', sharedSeconds),
    row('process advanced', 0.2),
    row('process SharedMemory', sharedSeconds),
  ];
}

test('ipc: holds when sharing beats copying to a process, not otherwise', () => {
  const verdict = ipcVerdict(ipcRows(0.005));
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /64\.0 MiB|64 MiB/);
  assert.equal(ipcVerdict(ipcRows(0.15)).holds, false);
});

test('kill: holds when SIGKILL and the flag stop at once and terminate waits for the kernel', () => {
  const rows = (terminateMs: number, outcome: KillRow['outcome']): KillRow[] => [
    { method: 'AbortSignal', target: 't', stopMs: 0.3, remainingMs: 250, outcome: 'stopped' },
    { method: 'Future.abort()', target: 't', stopMs: 1, remainingMs: 250, outcome: 'stopped' },
    { method: 'worker.terminate()', target: 't', stopMs: terminateMs, remainingMs: 250, outcome },
    { method: 'SIGKILL', target: 'p', stopMs: 3, remainingMs: 250, outcome: 'stopped' },
  ];
  const verdict = killVerdict(rows(250, 'ran to completion'));
  assert.equal(verdict.holds, true, verdict.text);
  assert.match(verdict.text, /ran to completion/);
  assert.equal(killVerdict(rows(2, 'stopped')).holds, false);
});

test('memory-bound: a compute control that did not scale (busy CPUs) makes the claim "not testable", not "keeps up"', () => {
  const verdict = memoryBoundVerdict(memoryRows(1.6, 0.92));
  assert.equal(verdict.holds, null);
  assert.match(verdict.text, /control \(countPrimes\) itself reached only 0\.92×/);
  assert.doesNotMatch(verdict.text, /keeps up/);
});
