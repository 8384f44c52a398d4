// The lifecycle fuzz with a fixed seed (test/fuzz/lifecycle-targets.ts). Every case is a child
// process that must END within a deadline with the expected status and never by a signal:
//  - pending native work (async kernels in hold and release mode, lock waits, a shared-lock pool
//    task) in the main thread or a worker, then a random ending (process.exit, an uncaught
//    exception, worker.terminate(), process.exit inside the worker);
//  - allocation failure: async kernels on large plain arrays under `ulimit -v`;
//  - a small /dev/shm: SharedMemory segments larger than a private 2 MiB tmpfs, written in full.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  allocCaseArbitrary,
  checkResourceCase,
  checkScenario,
  privateShmAvailable,
  scenarioArbitrary,
} from './fuzz/lifecycle-targets.js';

const SEED = Number(process.env.GIL_LAB_FUZZ_SEED ?? 0x6f11ab);
const RUNS = Number(process.env.GIL_LAB_LIFECYCLE_RUNS ?? 24);

async function assertEvery<T>(arbitrary: fc.Arbitrary<T>, runs: number, check: (c: T) => Promise<string | undefined>) {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (c) => {
      const broke = await check(c);
      if (broke !== undefined) assert.fail(`${JSON.stringify(c)}: ${broke}`);
    }),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
}

test(
  `lifecycle fuzz: ${RUNS} children with pending native work end on time with the expected status`,
  {
    timeout: 600_000,
  },
  () => assertEvery(scenarioArbitrary, RUNS, checkScenario),
);

// AddressSanitizer reserves terabytes of shadow memory: no `ulimit -v` leaves it room to start.
const underAsan = /asan/i.test(process.env.LD_PRELOAD ?? '');

test(
  'lifecycle fuzz: async kernels under ulimit -v fail cleanly, never abort',
  {
    timeout: 300_000,
    skip: underAsan ? 'not under AddressSanitizer (its shadow memory does not fit any ulimit -v)' : false,
  },
  () => assertEvery(allocCaseArbitrary, 8, checkResourceCase),
);

test(
  'lifecycle fuzz: SharedMemory on a small /dev/shm fails cleanly, never SIGBUS',
  { timeout: 300_000 },
  async (t) => {
    if (!(await privateShmAvailable())) {
      t.skip('cannot mount a private tmpfs on /dev/shm here (needs unshare -m and mount as root)');
      return;
    }
    const { shmCaseArbitrary } = await import('./fuzz/lifecycle-targets.js');
    await assertEvery(shmCaseArbitrary, 8, checkResourceCase);
  },
);
