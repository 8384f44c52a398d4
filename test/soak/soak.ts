// npm run soak -- [--minutes N] [--seed S] [--max-rss-mb M] [--json]
//
// Runs a thread pool and a process pool side by side for N minutes (default 1) with the main
// thread contending for the GIL too, and injects random faults: children killed with SIGKILL or
// SIGTERM, threads terminated in the middle of a native kernel, tasks that never return (timeouts,
// then abort), worker threads out of memory, initializers that throw, hostile throws, cancellations.
// A broken pool is shut down and replaced. It checks, and prints a summary of:
//  - every submitted future settles exactly once (then() and addDoneCallback() each fire once), and
//    settles with the right value or an error of an expected kind;
//  - lock statistics stay consistent (per-thread acquisitions add up to the total, held fraction at
//    most 1, contended <= total), and the GIL is free at the end;
//  - RSS stays bounded (the parent's, sampled every 250 ms; children are reported too).
// Exits 1 if an invariant broke.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BrokenProcessPool,
  BrokenThreadPool,
  Interpreter,
  kernels,
  ProcessPoolExecutor,
  reference,
  ThreadPoolExecutor,
  type Future,
  type LockModel,
} from 'gil-lab';
import { HOSTILE_THROWS } from '../fixtures/fault-tasks.js';
import { faultTask, random, sleep, within } from '../fixtures/fault-helpers.js';

// --- options -------------------------------------------------------------------------------------

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seed: { type: 'string' },
    'max-rss-mb': { type: 'string', default: '1536' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 24 * 60))
  throw new RangeError(`--minutes must be > 0 and <= 1440, got ${values.minutes}`);
const seed = values.seed === undefined ? (Math.random() * 2 ** 31) | 0 : Number(values.seed);
if (!Number.isInteger(seed)) throw new RangeError(`--seed must be an integer, got ${values.seed}`);
const maxRssMb = Number(values['max-rss-mb']);
if (!(maxRssMb > 0)) throw new RangeError(`--max-rss-mb must be positive, got ${values['max-rss-mb']}`);
const rand = random(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

// --- bookkeeping ---------------------------------------------------------------------------------

const counts = {
  submitted: 0,
  settled: 0,
  fulfilled: 0,
  rejected: 0,
  cancelled: 0,
  submitRefused: 0,
};
const faults = new Map<string, number>();
const violations: string[] = [];
const pending = new Set<Future<unknown>>();
const pools = { threadPoolsCreated: 0, processPoolsCreated: 0, broken: 0 };
const seenPids = new Set<number>();
let maxRss = 0;
let maxChildrenRss = 0;
let lockChecks = 0;

function violation(message: string): void {
  if (violations.length < 50) violations.push(message);
  if (!values.json) console.error(`soak: VIOLATION: ${message}`);
}
function fault(kind: string): void {
  faults.set(kind, (faults.get(kind) ?? 0) + 1);
}

type Expect = (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => string | undefined;

/** Any broken-pool error, an AbortError, a CancelledError: the outcomes a fault may cause. */
function faultError(error: unknown): boolean {
  return (
    error instanceof BrokenThreadPool ||
    error instanceof BrokenProcessPool ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'CancelledError'))
  );
}

/** Watches a future: counts its settlement, checks it happens once, and checks the outcome. */
function track(future: Future<unknown>, what: string, expect: Expect): Future<unknown> {
  counts.submitted++;
  pending.add(future);
  let settles = 0;
  let callbacks = 0;
  const settle = (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void => {
    settles++;
    if (settles > 1) return violation(`${what}: settled ${settles} times`);
    pending.delete(future);
    counts.settled++;
    if (future.cancelled()) counts.cancelled++;
    else if (outcome.ok) counts.fulfilled++;
    else counts.rejected++;
    if (!future.done()) violation(`${what}: settled but done() is false`);
    if (!outcome.ok && faultError(outcome.error)) return; // a fault may end any task
    const problem = expect(outcome);
    if (problem !== undefined) violation(`${what}: ${problem}`);
  };
  future.then(
    (value) => settle({ ok: true, value }),
    (error: unknown) => settle({ ok: false, error }),
  );
  future.addDoneCallback(() => {
    callbacks++;
    if (callbacks > 1) violation(`${what}: done callback ran ${callbacks} times`);
  });
  return future;
}

const returns =
  (expected: unknown): Expect =>
  (o) =>
    o.ok && o.value === expected
      ? undefined
      : `expected ${String(expected)}, got ${o.ok ? String(o.value) : String(o.error)}`;
const rejectsWithout: Expect = (o) => (o.ok ? `fulfilled with ${String(o.value)}, expected a rejection` : undefined);
const anything: Expect = () => undefined;

// --- pools ---------------------------------------------------------------------------------------

const LOCK_MODELS: LockModel[] = ['shared', 'isolated', 'free'];
let threadPool!: ThreadPoolExecutor;
let processPool!: ProcessPoolExecutor;
let threadModel: LockModel = 'shared';
const retiring: Promise<void>[] = [];

function newThreadPool(): void {
  threadModel = LOCK_MODELS[pools.threadPoolsCreated % LOCK_MODELS.length]!;
  pools.threadPoolsCreated++;
  threadPool = new ThreadPoolExecutor({
    maxWorkers: 3,
    lock: threadModel,
    abortGraceMs: 50,
    // Small heaps: a worker that runs out of memory does so quickly.
    resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
  });
}
function newProcessPool(): void {
  pools.processPoolsCreated++;
  processPool = new ProcessPoolExecutor({ maxWorkers: 2, abortGraceMs: 50, maxTasksPerChild: 500 });
}

/** Replaces a broken pool; its shutdown must not hang. */
function replaceIfBroken(): void {
  for (const kind of ['thread', 'process'] as const) {
    const pool = kind === 'thread' ? threadPool : processPool;
    if (!pool.broken) continue;
    pools.broken++;
    retiring.push(
      within(pool.shutdown(), 20_000, `shutdown of a broken ${kind} pool`).catch((e: Error) => violation(e.message)),
    );
    if (kind === 'thread') newThreadPool();
    else newProcessPool();
  }
}

function submit(
  pool: ThreadPoolExecutor | ProcessPoolExecutor,
  what: string,
  expect: Expect,
  task: unknown,
  ...args: unknown[]
) {
  let future: Future<unknown>;
  try {
    future = pool.submit(task as never, ...args);
  } catch (error) {
    counts.submitRefused++;
    if (!(error instanceof BrokenThreadPool || error instanceof BrokenProcessPool)) {
      violation(`${what}: submit threw ${String(error)}`);
    }
    return undefined;
  }
  return track(future, what, expect);
}

// --- the work ------------------------------------------------------------------------------------

const PRIME_RANGES: Array<[number, number, number]> = [
  [0, 2000],
  [10_000, 14_000],
  [100_000, 101_500],
].map(([lo, hi]) => {
  const main = Interpreter.main();
  main.acquire();
  try {
    return [lo!, hi!, reference.countPrimes(lo!, hi!)];
  } finally {
    main.release();
  }
});

function submitWork(pool: ThreadPoolExecutor | ProcessPoolExecutor, kind: 'thread' | 'process'): void {
  const r = rand();
  const n = counts.submitted;
  if (r < 0.35) {
    submit(pool, `${kind} compute`, returns(n), faultTask('compute'), 1 + Math.floor(rand() * 4), n);
  } else if (r < 0.55) {
    const [lo, hi, expected] = pick(PRIME_RANGES);
    submit(pool, `${kind} countPrimes`, returns(expected), 'countPrimes', lo, hi, { mode: pick(['hold', 'release']) });
  } else if (r < 0.65) {
    submit(pool, `${kind} spin`, anything, 'spin', Math.floor(rand() * 2e6));
  } else if (r < 0.75) {
    submit(pool, `${kind} sleep`, returns(n), faultTask('sleepThen'), Math.floor(rand() * 5), n);
  } else if (r < 0.85) {
    const thrown = pick(HOSTILE_THROWS);
    submit(pool, `${kind} throw ${thrown}`, rejectsWithout, faultTask(pick(['throwHostile', 'rejectHostile'])), thrown);
  } else if (r < 0.95) {
    const data =
      kind === 'thread' && rand() < 0.5 ? new Float64Array(new SharedArrayBuffer(800)) : new Float64Array(100);
    data[7] = n;
    submit(
      pool,
      `${kind} echo`,
      (o) => (o.ok && (o.value as Float64Array[])[0]![7] === n ? undefined : 'echo lost its data'),
      faultTask('echo'),
      data,
    );
  } else {
    // Submitted and cancelled at once: either cancelled or (already started) finished normally.
    const f = submit(pool, `${kind} cancelled`, returns(n), faultTask('compute'), 2, n);
    f?.cancel();
  }
}

// --- faults --------------------------------------------------------------------------------------

async function injectFault(): Promise<void> {
  const kind = pick([
    'kill-child-SIGKILL',
    'kill-child-SIGTERM',
    'abort-stubborn-kernel',
    'abort-spin-forever',
    'timeout-never-settle',
    'process-abort-spin-forever',
    'oom-thread',
    'initializer-throws',
    'cancel-queued',
  ]);
  fault(kind);
  switch (kind) {
    case 'kill-child-SIGKILL':
    case 'kill-child-SIGTERM': {
      const pids = processPool
        .stats()
        .workers.map((w) => w.pid)
        .filter((p): p is number => p !== null);
      if (pids.length === 0) return;
      try {
        process.kill(pick(pids), kind.endsWith('SIGKILL') ? 'SIGKILL' : 'SIGTERM');
      } catch {
        // it exited meanwhile
      }
      return;
    }
    case 'abort-stubborn-kernel':
    case 'abort-spin-forever':
    case 'process-abort-spin-forever': {
      const pool = kind.startsWith('process') ? processPool : threadPool;
      const task = kind === 'abort-stubborn-kernel' ? faultTask('stubbornKernel') : faultTask('spinForever');
      const f = submit(pool, kind, rejectsWithout, task, 40e6);
      if (f === undefined) return;
      const started = performance.now();
      while (!f.running() && !f.done() && performance.now() - started < 5000) await sleep(2);
      await within(f.abort({ graceMs: 10 }), 10_000, `${kind}: abort()`).catch((e: Error) => violation(e.message));
      return;
    }
    case 'timeout-never-settle': {
      const f = submit(threadPool, kind, rejectsWithout, faultTask('neverSettle'));
      if (f === undefined) return;
      const outcome = await f.result({ timeoutMs: 20 }).then(
        () => 'fulfilled',
        (e: Error) => e.name,
      );
      if (!['TimeoutError', 'CancelledError', 'BrokenThreadPool'].includes(outcome))
        violation(`${kind}: result() gave ${outcome}`);
      await within(f.abort({ graceMs: 10 }), 10_000, `${kind}: abort()`).catch((e: Error) => violation(e.message));
      return;
    }
    case 'oom-thread':
      submit(threadPool, kind, rejectsWithout, faultTask('exhaustMemory'));
      return;
    case 'initializer-throws': {
      const thread = rand() < 0.5;
      const pool = thread
        ? new ThreadPoolExecutor({
            maxWorkers: 1,
            initializer: faultTask('initializeThrow'),
            initializerArgs: [pick(HOSTILE_THROWS)],
          })
        : new ProcessPoolExecutor({
            maxWorkers: 1,
            initializer: faultTask('initializeThrow'),
            initializerArgs: [pick(HOSTILE_THROWS)],
          });
      for (let i = 0; i < 3; i++) {
        submit(
          pool,
          `${kind}: task`,
          (o) => (o.ok ? 'ran although the initializer failed' : `rejected with ${String(o.error)}`),
          faultTask('compute'),
          1,
          i,
        );
      }
      retiring.push(
        within(
          (async () => {
            while (!pool.broken) await sleep(5);
            await pool.shutdown();
          })(),
          20_000,
          `${kind}: the pool to break and shut down`,
        ).catch((e: Error) => violation(e.message)),
      );
      return;
    }
    case 'cancel-queued': {
      const batch: Future<unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        const n = counts.submitted;
        const f = submit(threadPool, kind, returns(n), faultTask('compute'), 1, n);
        if (f) batch.push(f);
      }
      for (const f of batch.slice(10)) f.cancel();
      return;
    }
  }
}

// --- lock and memory checks ------------------------------------------------------------------------

let lastAcquisitions = 0;
function checkLockStats(quiescent: boolean): void {
  lockChecks++;
  const s = Interpreter.main().stats();
  const sum = s.threads.reduce((a, t) => a + t.acquisitions, s.exited.acquisitions);
  // Counters are updated without a common lock on the fast path: a snapshot taken while threads run
  // may see one thread's increment and not yet the total (at most one per thread).
  const slack = quiescent ? 0 : s.threads.length;
  if (Math.abs(sum - s.acquisitions) > slack)
    violation(`lock stats: per-thread acquisitions sum to ${sum}, total ${s.acquisitions}`);
  if (s.acquisitions < lastAcquisitions)
    violation(`lock stats: acquisitions went back from ${lastAcquisitions} to ${s.acquisitions}`);
  lastAcquisitions = s.acquisitions;
  if (s.contendedAcquisitions > s.acquisitions + slack)
    violation(`lock stats: ${s.contendedAcquisitions} contended of ${s.acquisitions}`);
  if (!(s.heldFraction >= 0 && s.heldFraction <= 1.02)) violation(`lock stats: held fraction ${s.heldFraction}`);
  if (!(s.heldNs <= s.elapsedNs * 1.02 + 1e6)) violation(`lock stats: held ${s.heldNs} ns in ${s.elapsedNs} ns`);
  if (quiescent && (s.holder !== 0 || s.waiters !== 0))
    violation(`lock stats at rest: holder ${s.holder}, waiters ${s.waiters}`);
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
const rssSamples: Array<[number, number]> = []; // (ms since start, bytes)
let rssBoundReported = false;
function sampleMemory(): void {
  const rss = process.memoryUsage.rss();
  rssSamples.push([performance.now() - started, rss]);
  maxRss = Math.max(maxRss, rss);
  let children = 0;
  for (const w of processPool.stats().workers) {
    if (w.pid !== null) {
      seenPids.add(w.pid);
      children += rssOf(w.pid);
    }
  }
  maxChildrenRss = Math.max(maxChildrenRss, children);
  if (maxRss > maxRssMb * 2 ** 20 && !rssBoundReported) {
    rssBoundReported = true;
    violation(`RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB above the bound of ${maxRssMb} MiB`);
  }
}

/** Median RSS (MiB) of the samples taken between two fractions of the run. */
function medianRss(from: number, to: number): number {
  const total = performance.now() - started;
  const xs = rssSamples
    .filter(([t]) => t >= from * total && t <= to * total)
    .map(([, b]) => b)
    .sort((a, b) => a - b);
  return xs.length === 0 ? 0 : xs[Math.floor(xs.length / 2)]! / 2 ** 20;
}

// --- main loop -----------------------------------------------------------------------------------

const started = performance.now();
const deadline = started + minutes * 60_000;
newThreadPool();
newProcessPool();
const memoryTimer = setInterval(sampleMemory, 250);
const statsTimer = setInterval(() => checkLockStats(false), 1000);
let lastReport = started;
let mainHolds = 0;

// The main thread contends for the GIL too: hold-mode kernel work under the main interpreter.
const contender = (async () => {
  const main = Interpreter.main();
  while (performance.now() < deadline) {
    await main.acquireAsync();
    try {
      kernels.spin(300_000 + Math.floor(rand() * 700_000)); // hold mode, checkpointing
      mainHolds++;
    } finally {
      main.release();
    }
    await sleep(5 + Math.floor(rand() * 20));
  }
})();

let nextFault = performance.now() + 200 + rand() * 800;
while (performance.now() < deadline && violations.length < 50) {
  replaceIfBroken();
  const inFlight = pending.size;
  if (inFlight < 96) {
    for (let i = 0; i < 8; i++) {
      if (rand() < 0.6) submitWork(threadPool, 'thread');
      else submitWork(processPool, 'process');
    }
  }
  if (performance.now() >= nextFault) {
    await injectFault();
    nextFault = performance.now() + 150 + rand() * 900;
  }
  if (!values.json && performance.now() - lastReport > 10_000) {
    lastReport = performance.now();
    console.log(
      `soak: ${((lastReport - started) / 1000).toFixed(0)} s: submitted ${counts.submitted}, settled ${counts.settled}, in flight ${pending.size}, faults ${[...faults.values()].reduce((a, b) => a + b, 0)}, RSS ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  await sleep(2);
}

// --- wind down and final checks ----------------------------------------------------------------------

await within(contender, 30_000, 'the main-thread contender').catch((e: Error) => violation(e.message));
await within(
  (async () => {
    while (pending.size > 0) {
      replaceIfBroken();
      await sleep(10);
    }
  })(),
  120_000,
  `the last ${pending.size} futures`,
).catch((e: Error) =>
  violation(
    `${e.message} (${[...pending]
      .slice(0, 3)
      .map((f) => f.state)
      .join(', ')})`,
  ),
);
await within(
  Promise.all([threadPool.shutdown(), processPool.shutdown(), ...retiring]),
  60_000,
  'the final shutdowns',
).catch((e: Error) => violation(e.message));
clearInterval(memoryTimer);
clearInterval(statsTimer);
sampleMemory();
// Terminated threads may still be finishing a kernel; give them a moment, then the GIL must be free.
await within(
  (async () => {
    for (;;) {
      const s = Interpreter.main().stats();
      if (s.holder === 0 && s.waiters === 0) return;
      await sleep(20);
    }
  })(),
  30_000,
  'the GIL to be free after shutdown',
).catch((e: Error) => violation(e.message));
checkLockStats(true);
// A leak shows as growth: the typical RSS late in the run against the typical RSS early on (medians,
// so that a worker running out of memory now and then does not count).
const earlyRssMiB = medianRss(0.1, 0.35);
const lateRssMiB = medianRss(0.75, 1);
if (lateRssMiB > earlyRssMiB * 1.5 + 64) {
  violation(
    `RSS grew from a median of ${earlyRssMiB.toFixed(0)} MiB early on to ${lateRssMiB.toFixed(0)} MiB at the end`,
  );
}
const leftover = [...seenPids].filter((pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
});
if (leftover.length > 0) violation(`child processes still alive after shutdown: ${leftover.join(', ')}`);
if (counts.settled !== counts.submitted) violation(`${counts.submitted} submitted but ${counts.settled} settled`);

const lock = Interpreter.main().stats();
const summary = {
  seed,
  minutes,
  elapsedS: Number(((performance.now() - started) / 1000).toFixed(1)),
  submitted: counts.submitted,
  settled: counts.settled,
  fulfilled: counts.fulfilled,
  rejected: counts.rejected,
  cancelled: counts.cancelled,
  submitsRefusedByBrokenPools: counts.submitRefused,
  faultsInjected: [...faults.values()].reduce((a, b) => a + b, 0),
  faults: Object.fromEntries([...faults].sort()),
  poolsBrokenAndReplaced: pools.broken,
  threadPoolsCreated: pools.threadPoolsCreated,
  processPoolsCreated: pools.processPoolsCreated,
  childProcessesSeen: seenPids.size,
  mainThreadGilHolds: mainHolds,
  gil: {
    acquisitions: lock.acquisitions,
    contendedAcquisitions: lock.contendedAcquisitions,
    dropRequests: lock.dropRequests,
    forcedSwitches: lock.forcedSwitches,
    releasesOnThreadExit: lock.releasesOnThreadExit,
    threads: lock.threads.length,
  },
  lockStatChecks: lockChecks,
  maxRssMiB: Number((maxRss / 2 ** 20).toFixed(1)),
  medianRssEarlyMiB: Number(earlyRssMiB.toFixed(1)),
  medianRssLateMiB: Number(lateRssMiB.toFixed(1)),
  maxChildrenRssMiB: Number((maxChildrenRss / 2 ** 20).toFixed(1)),
  rssBoundMiB: maxRssMb,
  violations,
};
if (values.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(`soak summary (seed ${seed}, ${summary.elapsedS} s):`);
  console.log(
    `  futures: submitted ${summary.submitted}, settled ${summary.settled} (fulfilled ${summary.fulfilled}, rejected ${summary.rejected}, cancelled ${summary.cancelled}); submits refused by broken pools ${summary.submitsRefusedByBrokenPools}`,
  );
  console.log(
    `  faults injected: ${summary.faultsInjected} (${Object.entries(summary.faults)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  console.log(
    `  pools: ${summary.poolsBrokenAndReplaced} broken and replaced; ${summary.threadPoolsCreated} thread pools, ${summary.processPoolsCreated} process pools, ${summary.childProcessesSeen} child processes`,
  );
  console.log(
    `  GIL: ${lock.acquisitions} acquisitions (${lock.contendedAcquisitions} contended, ${lock.dropRequests} drop requests, ${lock.forcedSwitches} forced switches, ${lock.releasesOnThreadExit} released by exiting threads), ${mainHolds} main-thread holds; ${lockChecks} stats checks`,
  );
  console.log(
    `  max RSS: ${summary.maxRssMiB} MiB (bound ${maxRssMb} MiB; median ${summary.medianRssEarlyMiB} MiB early, ${summary.medianRssLateMiB} MiB late); children at most ${summary.maxChildrenRssMiB} MiB together`,
  );
  console.log(
    violations.length === 0
      ? '  invariants: all held'
      : `  VIOLATIONS (${violations.length}):\n    ${violations.join('\n    ')}`,
  );
}
process.exit(violations.length === 0 ? 0 : 1);
