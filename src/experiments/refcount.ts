// refcount: why the lock exists. Reference counts updated by several threads without it lose
// updates and free objects that are still in use; atomics fix that at a price every
// single-threaded program pays (PEP 703's biased counting pays it only across threads).
import os from 'node:os';
import { Interpreter } from '../interpreter.js';
import { RefHeap } from '../kernels/index.js';
import { formatCount, formatNs, type TableColumn } from '../report/index.js';
import { listText, plural, round, times } from './measure.js';
import { bySize, switchIntervalUs } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { ExperimentOptions, Measurement, Verdict } from './types.js';

export type RefcountStrategy = 'locked' | 'racy' | 'atomic' | 'biased';

/** Which objects the threads touch: any alike, or mostly their own (PEP 703's premise). */
export type RefcountWorkload = 'uniform' | 'owner-heavy';
/** The owner-heavy workload's share of updates a thread makes to objects it owns. */
export const OWNER_SHARE = 0.9;

export interface RefcountRow extends Record<string, string | number | boolean | null> {
  strategy: RefcountStrategy;
  workload: RefcountWorkload;
  threads: number;
  operations: number;
  lostUpdates: number;
  prematureFrees: number;
  nsPerOp: number;
}

export const REFCOUNT_COLUMNS: TableColumn[] = [
  { key: 'strategy' },
  {
    key: 'workload',
    format: (v) => (v === 'owner-heavy' ? `${Math.round(OWNER_SHARE * 100)}% by owner` : 'uniform'),
  },
  { key: 'threads' },
  { key: 'operations', format: (v) => formatCount(v as number) },
  { key: 'lostUpdates', header: 'lost updates', format: (v) => formatCount(v as number) },
  { key: 'prematureFrees', header: 'premature frees', format: (v) => formatCount(v as number) },
  { key: 'nsPerOp', header: 'ns/op', format: (v) => formatNs(v as number) },
];

/**
 * The claim: without the lock, concurrent reference counting is wrong (racy loses updates or frees
 * too early); locked, atomic and biased counting are right; and atomics cost single-threaded code
 * time (atomic ns/op alone above locked ns/op alone). `context.cpus`: the machine's CPUs.
 */
export function refcountVerdict(rows: readonly RefcountRow[], context?: { cpus: number }): Verdict {
  const uniform = rows.filter((row) => row.workload === 'uniform');
  const contended = (strategy: RefcountStrategy, among: readonly RefcountRow[] = uniform) =>
    among.filter((row) => row.strategy === strategy && row.threads > 1).sort((a, b) => b.threads - a.threads)[0];
  const alone = (strategy: RefcountStrategy) => uniform.find((row) => row.strategy === strategy && row.threads === 1);
  const ownerHeavy = rows.filter((row) => row.workload === 'owner-heavy');
  const racy = contended('racy');
  const lockedAlone = alone('locked');
  const atomicAlone = alone('atomic');
  if (!racy || !lockedAlone || !atomicAlone) {
    return {
      holds: false,
      text: 'The run lacks the rows the claim compares (racy under contention, locked and atomic alone).',
    };
  }
  const racyWrong = racy.lostUpdates > 0 || racy.prematureFrees > 0;
  const wrongSafe = (['locked', 'atomic', 'biased'] as RefcountStrategy[])
    .flatMap((strategy) => [contended(strategy), contended(strategy, ownerHeavy)])
    .filter((row): row is RefcountRow => row !== undefined && (row.lostUpdates > 0 || row.prematureFrees > 0));
  const atomicCost = atomicAlone.nsPerOp / lockedAlone.nsPerOp;
  // On one CPU the threads never overlap: a race not caught there says nothing about the claim.
  const oneCpu = context !== undefined && context.cpus < 2;
  const holds =
    oneCpu && !racyWrong && wrongSafe.length === 0 ? null : racyWrong && wrongSafe.length === 0 && atomicCost > 1;
  let text =
    `Racy counting by ${racy.threads} threads lost ${formatCount(racy.lostUpdates)} updates and freed ${formatCount(racy.prematureFrees)} objects early; ` +
    `alone, an atomic update took ${formatNs(atomicAlone.nsPerOp)} against ${formatNs(lockedAlone.nsPerOp)} plain (${times(atomicCost)}).`;
  if (!racyWrong) {
    text += oneCpu
      ? ` This run caught no race, and with ${plural(context.cpus, 'CPU')} the threads never run at the same time, so the claim cannot be tested here; it needs 2 or more CPUs.`
      : ' This run caught no race: the threads may not have overlapped enough.';
  }
  if (wrongSafe.length > 0)
    text += ` ${listText(wrongSafe.map((row) => row.strategy))} lost updates too, which must not happen.`;
  if (atomicCost <= 1) text += ' Atomics cost nothing extra here.';
  // PEP 703's premise, as context: biased counting pays off when the owner makes most updates.
  const biasedOwner = contended('biased', ownerHeavy);
  const atomicOwner = contended('atomic', ownerHeavy);
  const biasedUniform = contended('biased');
  const atomicUniform = contended('atomic');
  if (biasedOwner && atomicOwner) {
    text +=
      ` With ${Math.round(OWNER_SHARE * 100)}% of updates by the owner, biased counting took ${formatNs(biasedOwner.nsPerOp)} per update ` +
      `against ${formatNs(atomicOwner.nsPerOp)} atomic (${times(atomicOwner.nsPerOp / biasedOwner.nsPerOp)} cheaper)`;
    text +=
      biasedUniform && atomicUniform
        ? `; with every thread touching every object, ${formatNs(biasedUniform.nsPerOp)} against ${formatNs(atomicUniform.nsPerOp)}.`
        : '.';
  }
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

/** Few objects, so that threads collide on the same counts often. */
export const REFCOUNT_OBJECTS = 64;
const STRATEGIES: readonly RefcountStrategy[] = ['locked', 'racy', 'atomic', 'biased'];
const OWNER_HEAVY_STRATEGIES: readonly RefcountStrategy[] = ['atomic', 'biased'];

async function measureRefcount(options: ExperimentOptions, step: Stepper): Promise<Measurement<RefcountRow>> {
  const threads = Math.max(2, options.workers);
  // Long enough (tens of ms per thread) that the threads really overlap, even on a busy machine.
  const pairsPerThread = bySize(options.size, [100_000, 8_000_000, 20_000_000, 50_000_000]);
  step.plan(STRATEGIES.length * 2 + OWNER_HEAVY_STRATEGIES.length);
  const heap = new RefHeap(REFCOUNT_OBJECTS);
  // The 'locked' strategy's lock: an interpreter of its own, so the storm's lock traffic is its alone.
  const interpreter = new Interpreter({
    policy: options.policy ?? 'cpython',
    switchIntervalUs: switchIntervalUs(options),
  });
  const rows: RefcountRow[] = [];
  try {
    for (const strategy of STRATEGIES) {
      for (const count of [1, threads]) {
        step(`${strategy}, ${plural(count, 'thread')}`);
        const result = await heap.stormAsync({
          strategy,
          threads: count,
          pairsPerThread,
          interpreter,
          seed: rows.length + 1,
        });
        rows.push({
          strategy,
          workload: 'uniform',
          threads: count,
          operations: result.operations,
          lostUpdates: result.lostUpdates,
          prematureFrees: result.prematureFrees,
          nsPerOp: round(result.nsPerOperation),
        });
      }
    }
    // PEP 703's premise: most updates by the object's owner, where biased counting skips atomics.
    for (const strategy of OWNER_HEAVY_STRATEGIES) {
      step(`${strategy}, ${plural(threads, 'thread')}, ${Math.round(OWNER_SHARE * 100)}% by owner`);
      const result = await heap.stormAsync({
        strategy,
        threads,
        pairsPerThread,
        interpreter,
        seed: rows.length + 1,
        ownerShare: OWNER_SHARE,
      });
      rows.push({
        strategy,
        workload: 'owner-heavy',
        threads,
        operations: result.operations,
        lostUpdates: result.lostUpdates,
        prematureFrees: result.prematureFrees,
        nsPerOp: round(result.nsPerOperation),
      });
    }
  } finally {
    interpreter.destroy();
  }
  return {
    rows,
    verdict: refcountVerdict(rows, { cpus: os.availableParallelism() }),
    charts: [
      {
        title: 'Cost of one reference-count update, alone and under contention',
        xLabel: 'threads',
        yLabel: 'ns per operation',
        series: STRATEGIES.map((strategy) => ({
          label: strategy,
          points: rows
            .filter((r) => r.strategy === strategy && r.workload === 'uniform')
            .map((r) => ({ x: r.threads, y: r.nsPerOp })),
        })),
      },
    ],
  };
}

export const refcount = defineExperiment<RefcountRow>({
  name: 'refcount',
  question: 'Why is there a lock at all: what happens to reference counts without it, and what do atomics cost?',
  claim:
    'The lock exists because reference counting is not thread-safe; making it safe with atomics slows single-threaded code (PEP 703).',
  inCpython:
    'Every GIL build keeps reference counts safe through the GIL; 3.12 makes some objects immortal (PEP 683); the 3.13 free-threaded build ' +
    '(PEP 703, supported from 3.14 by PEP 779) uses biased reference counting: plain updates by the owning thread, atomics for the rest.',
  narrative:
    'Native threads incref and decref a small heap of objects: under the lock (locked), with no lock at all (racy: a plain ' +
    'read-modify-write), with atomic instructions (atomic), and with PEP 703 biased counting (the owner thread counts plainly, others atomically). ' +
    'Lost updates and premature frees are counted; ns/op alone is the price every single-threaded program would pay. ' +
    `Then atomic and biased again with ${Math.round(OWNER_SHARE * 100)}% of each thread's updates to objects it owns: ` +
    "PEP 703's premise, where biased counting skips the atomics.",
  columns: REFCOUNT_COLUMNS,
  traceable: false,
  takes: ['workers', 'policy', 'switchIntervalMs', 'size'],
  measure: measureRefcount,
});
