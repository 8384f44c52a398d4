// The multicore scaling sweep: workers 1, 2, 4, … up to the hardware threads and twice that, for
// threads under one lock (hold and release), processes, subinterpreters and free threading, on a
// CPU-bound kernel (countPrimes) and a memory-bound one (triad); strong and weak scaling; each point
// the median of several timed batches on a warm pool; speedup, efficiency and a fitted serial
// fraction per mode. See bench/scaling/.
//
// Sizing: the kernels' single-thread rates are measured first, and the time of one weak-scaling
// task is chosen so that the estimated time of all timed batches fits a budget (see
// sweepCostUnits), capped at a per-profile target; a strong-scaling batch is as much work as one
// task per worker at the largest worker count, so that handing out the tasks stays a small part of
// even its shortest batches. GIL_LAB_SCALING_BUDGET_S overrides the budget (seconds);
// GIL_LAB_SCALING_PIN=1 pins each worker to a CPU of its own (bench/scaling/main.ts: --pin).
//
// Every task reports its timing (bench/scaling/timing.ts); the notes explain each point that
// falls short of ideal by rules over those timings and the machine's topology (explain.ts).
import os from 'node:os';
import { formatSignificant } from '#internal/report/format';
import type { MachineFacts } from '../scaling/explain.js';
import { selectModes } from '../scaling/modes.js';
import {
  explainSweep,
  explanationNotes,
  speedupCharts,
  speedupTables,
  sweepNotes,
  timeTables,
  timingTables,
} from '../scaling/report.js';
import { scheduling } from '../scaling/scheduling-native.js';
import { describeTopology, readTopology, type Topology } from '../scaling/topology.js';
import { defaultWorkerCounts, runSweep, SCALING_TYPES } from '../scaling/sweep.js';
import {
  calibrateCountPrimes,
  calibrateTriad,
  countPrimesWorkload,
  sizeCountPrimes,
  sizeTriad,
  triadMemoryLimits,
  triadWorkload,
  type TriadSizing,
} from '../scaling/workloads.js';
import type { BenchOptions, BenchSuite, BenchSuiteResult } from '../suite.js';

interface Profile {
  repeats: number;
  /** Seconds of timed batches the whole sweep may take (estimated pessimistically). */
  budgetS: number;
  /** Most and least seconds for one worker's batch. */
  maxTargetS: number;
  minTargetS: number;
  /** Bounds of the strong-scaling triad span (elements of each of a, b and c). */
  triadMinStrongElements: number;
  triadMaxStrongElements: number;
  triadWeakElementsPerWorker: number;
}

const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: {
    repeats: 3,
    budgetS: 20,
    maxTargetS: 0.04,
    minTargetS: 0.01,
    triadMinStrongElements: 2 ** 22,
    triadMaxStrongElements: 2 ** 23,
    triadWeakElementsPerWorker: 2 ** 21,
  },
  full: {
    repeats: 5,
    budgetS: 180,
    maxTargetS: 0.25,
    minTargetS: 0.05,
    // 24 bytes per element (a, b, c): 384 MiB to 1.5 GiB for strong scaling, 192 MiB per worker
    // for weak — far beyond the last-level cache a worker can use.
    triadMinStrongElements: 2 ** 24,
    triadMaxStrongElements: 2 ** 26,
    triadWeakElementsPerWorker: 2 ** 23,
  },
};

/**
 * Task times (one weak-scaling task's) the sweep will run, in units of that time, assuming the
 * worst plausible scaling: hold-mode threads not at all, memory-bound work only up to a quarter of
 * the cores, the rest up to the cores. A strong batch is `strongScale` units of work.
 */
export function sweepCostUnits(
  workerCounts: readonly number[],
  cores: number,
  modes: readonly string[],
  strongScale = 1,
): number {
  let units = 0;
  const memoryCap = Math.max(1, Math.floor(cores / 4));
  for (const cap of [cores, memoryCap]) {
    for (const mode of modes) {
      for (const n of workerCounts) {
        const parallel = mode === 'threads-hold' ? 1 : Math.min(n, cap);
        units += strongScale / parallel + n / parallel; // strong + weak
      }
    }
  }
  return units;
}

/** GIL_LAB_SCALING_PIN: '1' or 'true' pins the workers; unset, '' or '0' does not. */
export function pinFromEnv(value: string | undefined = process.env.GIL_LAB_SCALING_PIN): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new RangeError(`GIL_LAB_SCALING_PIN must be 1, true, 0, false or empty, got ${JSON.stringify(value)}`);
}

/** The topology as the explanation rules take it: the CPUs this process may use, and null for unknowns. */
export function machineFacts(topology: Topology, cpus: number): MachineFacts {
  const known = (value: number | 'unknown') => (value === 'unknown' ? null : value);
  return {
    cpus,
    physicalCores: known(topology.physicalCores),
    threadsPerCore: known(topology.threadsPerCore),
    quotaCpus: typeof topology.cpuQuota === 'object' ? topology.cpuQuota.cpus : null,
  };
}

function budgetSeconds(profile: Profile): number {
  const fromEnv = process.env.GIL_LAB_SCALING_BUDGET_S;
  if (fromEnv === undefined || fromEnv === '') return profile.budgetS;
  const value = Number(fromEnv);
  if (!(value > 0))
    throw new RangeError(`GIL_LAB_SCALING_BUDGET_S must be a positive number of seconds, got ${fromEnv}`);
  return value;
}

function reductionNote(triad: TriadSizing): string {
  const from = triad.reducedFrom!;
  const changes: string[] = [];
  const count = (n: number) => n.toLocaleString('en-US');
  if (from.strongElements !== triad.strongElements) {
    changes.push(`strong span ${count(triad.strongElements)} elements (profile: ${count(from.strongElements)})`);
  }
  if (from.weakElementsPerWorker !== triad.weakElementsPerWorker) {
    changes.push(
      `${count(triad.weakElementsPerWorker)} elements per worker (profile: ${count(from.weakElementsPerWorker)})`,
    );
  }
  return `triad spans reduced so that one copy of the arrays fits free memory, /dev/shm and the largest buffer: ${changes.join('; ')}`;
}

export const scalingSuite: BenchSuite = {
  name: 'scaling',
  description:
    'multicore scaling sweep: threads under one lock (hold / release), processes, subinterpreters and free threading; ' +
    'CPU-bound countPrimes and memory-bound triad; strong and weak scaling',
  async run(options: BenchOptions): Promise<BenchSuiteResult> {
    const profile = PROFILES[options.quick ? 'quick' : 'full'];
    const cores = os.availableParallelism();
    const pin = pinFromEnv();
    const topology = readTopology();
    const allowedCpus = scheduling.allowedCpus();
    const loadAtStart = os.loadavg()[0]!;
    const workerCounts = defaultWorkerCounts(cores);
    const maxWorkers = workerCounts[workerCounts.length - 1]!;
    const modes = selectModes();
    const units = sweepCostUnits(
      workerCounts,
      cores,
      modes.map((m) => m.name),
      maxWorkers,
    );
    const targetS = Math.min(
      profile.maxTargetS,
      Math.max(profile.minTargetS, budgetSeconds(profile) / (units * profile.repeats)),
    );

    options.onProgress?.(0, 1, 'calibrating the kernels');
    const numbersPerSec = calibrateCountPrimes();
    const triadElementsPerSec = calibrateTriad(profile.triadWeakElementsPerWorker);
    const primes = sizeCountPrimes(numbersPerSec, targetS, maxWorkers);
    const memoryLimits = triadMemoryLimits();
    const triad = sizeTriad(
      triadElementsPerSec,
      targetS,
      {
        minStrongElements: profile.triadMinStrongElements,
        maxStrongElements: profile.triadMaxStrongElements,
        weakElementsPerWorker: profile.triadWeakElementsPerWorker,
        maxWorkers,
        strongScale: maxWorkers,
      },
      memoryLimits,
    );

    const sweep = await runSweep({
      workloads: [countPrimesWorkload(primes), triadWorkload(triad)],
      modes,
      workerCounts,
      types: SCALING_TYPES,
      repeats: profile.repeats,
      cores,
      pin,
      onProgress: (p) => options.onProgress?.(p.done, p.total, p.status),
    });

    const facts = machineFacts(topology, allowedCpus.length > 0 ? allowedCpus.length : cores);
    const explanations = explainSweep(sweep, facts);
    const loadAtEnd = os.loadavg()[0]!;
    const notes = [
      `${cores} hardware threads: ${describeTopology(topology)}; workers ${workerCounts.join(', ')}${pin ? ', each pinned to a CPU of its own' : ''}; each point the median of ${profile.repeats} ` +
        `timed batches on a warm pool (start-up excluded); weak tasks sized for ~${Math.round(targetS * 1e3)} ms, strong batches ${maxWorkers}× that ` +
        `from this machine's single-thread rates: countPrimes ${formatSignificant(numbersPerSec / 1e6, 3)} M numbers/s, ` +
        `triad ${formatSignificant((triadElementsPerSec * 24) / 1e9, 3)} GB/s; the sweep took ${formatSignificant(sweep.elapsedMs / 1e3, 3)} s`,
      ...(triad.reducedFrom === undefined ? [] : [reductionNote(triad)]),
      ...sweep.skipped.map(
        (s) =>
          `${s.workload} × ${s.mode}: not run — its shared-memory segment would not fit the free space in /dev/shm`,
      ),
      `load average (1 min) ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end, on ${cores} hardware threads` +
        (Math.max(loadAtStart, loadAtEnd) > cores * 0.25 ? ': other work shared the machine during the run' : ''),
      ...sweepNotes(sweep),
      ...explanationNotes(sweep, explanations),
      'serial fraction: least-squares fit of Amdahl (strong) or Gustafson (weak) over the points with workers ≤ hardware threads; ' +
        'above 1 means more workers are slower than one',
    ];
    return {
      suite: 'scaling',
      description: this.description,
      cases: [],
      notes,
      tables: [...speedupTables(sweep), ...timeTables(sweep), ...timingTables(sweep)],
      charts: speedupCharts(sweep),
      data: {
        calibration: { numbersPerSec, triadElementsPerSec, targetSeconds: targetS },
        sizing: { countPrimes: primes, triad, triadMemoryLimits: memoryLimits, strongScale: maxWorkers },
        topology: { ...topology, allowedCpus },
        machineFacts: facts,
        load: { atStart: loadAtStart, atEnd: loadAtEnd },
        explanations,
        ...sweep,
      },
    };
  },
};
