// Executors against their peers, all in one run, on a trivial task (add two numbers), so that what
// is timed is the executor itself:
//  - round trip: one task at a time, submit and await (latency);
//  - throughput: N tasks in flight at once (100,000; 20,000 with --quick), submit all, await all.
// Peers: gil-lab's ThreadPoolExecutor and ProcessPoolExecutor (its default 'advanced' serialization,
// and 'json' as workerpool uses), piscina (threads) and workerpool (threads and processes), each
// with the same number of workers, started before timing.
// The machine may be busy with other work: rounds alternate between the executors so that a
// disturbance hits all of them alike, and each figure is the median over rounds.
// Targets (issue 5): thread pool throughput ≥ piscina's and its round trip no slower; process pool
// throughput ≥ 1.5× workerpool's process mode. The notes say whether this run met them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import workerpool from 'workerpool';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import type { BenchCaseResult, BenchOptions, BenchSuite, BenchSuiteResult, BenchTable } from '../suite.js';

interface Peer {
  name: string;
  start(): Promise<void>;
  call(a: number, b: number): Promise<unknown>;
  close(): Promise<void>;
}

interface Profile {
  rounds: number;
  /** Timed round trips per executor per round (after a short warm-up). */
  roundTrips: number;
  /** Tasks in flight per throughput round. */
  inFlight: number;
  throughputRounds: number;
}

const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: { rounds: 3, roundTrips: 500, inFlight: 20_000, throughputRounds: 2 },
  full: { rounds: 5, roundTrips: 2_000, inFlight: 100_000, throughputRounds: 3 },
};

const WARM_UP_CALLS = 100;

/** The task every executor runs, written as each one wants it. */
function writeTaskFiles(dir: string): { esm: string; workerpoolScript: string } {
  const esm = path.join(dir, 'add.mjs');
  writeFileSync(
    esm,
    'export function add(a, b) { return a + b; }\nexport default function ({ a, b }) { return a + b; }\n',
  );
  const workerpoolPath = createRequire(import.meta.url).resolve('workerpool');
  const workerpoolScript = path.join(dir, 'workerpool-add.cjs');
  writeFileSync(
    workerpoolScript,
    `const workerpool = require(${JSON.stringify(workerpoolPath)});\nworkerpool.worker({ add: (a, b) => a + b });\n`,
  );
  return { esm, workerpoolScript };
}

function makePeers(workers: number, files: { esm: string; workerpoolScript: string }): Peer[] {
  const task = { module: pathToFileURL(files.esm), export: 'add' };
  const threads = new ThreadPoolExecutor({ maxWorkers: workers });
  const processes = new ProcessPoolExecutor({ maxWorkers: workers });
  const processesJson = new ProcessPoolExecutor({ maxWorkers: workers, serialization: 'json' });
  const piscina = new Piscina({ filename: pathToFileURL(files.esm).href, minThreads: workers, maxThreads: workers });
  const wpThreads = workerpool.pool(files.workerpoolScript, {
    minWorkers: workers,
    maxWorkers: workers,
    workerType: 'thread',
  });
  const wpProcesses = workerpool.pool(files.workerpoolScript, {
    minWorkers: workers,
    maxWorkers: workers,
    workerType: 'process',
  });
  return [
    {
      name: 'gil-lab ThreadPoolExecutor',
      start: () => threads.start(),
      call: (a, b) => threads.submit(task, a, b),
      close: () => threads.shutdown(),
    },
    {
      name: 'piscina (threads)',
      start: async () => {
        await Promise.all(Array.from({ length: workers * 4 }, (_, i) => piscina.run({ a: i, b: 1 })));
      },
      call: (a, b) => piscina.run({ a, b }),
      close: () => piscina.destroy(),
    },
    {
      name: 'workerpool (threads)',
      start: async () => {
        await Promise.all(Array.from({ length: workers * 4 }, (_, i) => wpThreads.exec('add', [i, 1])));
      },
      call: (a, b) => wpThreads.exec('add', [a, b]),
      close: async () => {
        await wpThreads.terminate();
      },
    },
    {
      name: 'gil-lab ProcessPoolExecutor',
      start: () => processes.start(),
      call: (a, b) => processes.submit(task, a, b),
      close: () => processes.shutdown(),
    },
    {
      name: 'gil-lab ProcessPoolExecutor (json)',
      start: () => processesJson.start(),
      call: (a, b) => processesJson.submit(task, a, b),
      close: () => processesJson.shutdown(),
    },
    {
      name: 'workerpool (processes)',
      start: async () => {
        await Promise.all(Array.from({ length: workers * 4 }, (_, i) => wpProcesses.exec('add', [i, 1])));
      },
      call: (a, b) => wpProcesses.exec('add', [a, b]),
      close: async () => {
        await wpProcesses.terminate();
      },
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Relative margin of error (95%) of the mean of `values`, in percent. */
function rmePercent(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  const sd = Math.sqrt(sq / (n - 1));
  return mean === 0 ? 0 : ((1.96 * sd) / Math.sqrt(n) / mean) * 100;
}

interface PeerResult {
  name: string;
  roundTripUs: { p50: number; p99: number; mean: number; samples: number; rme: number };
  throughput: { tasksPerSec: number; rounds: number[]; rme: number };
}

const us = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));
const count = (x: number) => Math.round(x).toLocaleString('en-US');

export const executorsSuite: BenchSuite = {
  name: 'executors',
  description:
    'trivial-task round trip and throughput: ThreadPoolExecutor and ProcessPoolExecutor vs piscina and workerpool',
  async run(options: BenchOptions): Promise<BenchSuiteResult> {
    const profile = PROFILES[options.quick ? 'quick' : 'full'];
    const workers = os.availableParallelism();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-bench-executors-'));
    const peers = makePeers(workers, writeTaskFiles(dir));
    const latency = new Map<string, number[]>(peers.map((p) => [p.name, []]));
    const throughput = new Map<string, number[]>(peers.map((p) => [p.name, []]));
    const steps = peers.length * (profile.rounds + profile.throughputRounds);
    let done = 0;
    try {
      for (const peer of peers) await peer.start();
      // Round trips: one task at a time.
      for (let round = 0; round < profile.rounds; round++) {
        for (const peer of peers) {
          options.onProgress?.(done++, steps, `round trip, ${peer.name}, round ${round + 1}`);
          for (let i = 0; i < WARM_UP_CALLS; i++) await peer.call(i, 1);
          const samples = latency.get(peer.name)!;
          for (let i = 0; i < profile.roundTrips; i++) {
            const t0 = performance.now();
            const value = await peer.call(i, 1);
            samples.push((performance.now() - t0) * 1000);
            if (value !== i + 1) throw new Error(`${peer.name} returned ${String(value)} for ${i} + 1`);
          }
        }
      }
      // Throughput: everything in flight at once.
      for (let round = 0; round < profile.throughputRounds; round++) {
        for (const peer of peers) {
          options.onProgress?.(done++, steps, `throughput, ${peer.name}, round ${round + 1}`);
          const t0 = performance.now();
          const pending: Promise<unknown>[] = new Array(profile.inFlight);
          for (let i = 0; i < profile.inFlight; i++) pending[i] = peer.call(i, 1);
          const values = await Promise.all(pending);
          const seconds = (performance.now() - t0) / 1000;
          if (values[profile.inFlight - 1] !== profile.inFlight)
            throw new Error(`${peer.name} returned a wrong result`);
          throughput.get(peer.name)!.push(profile.inFlight / seconds);
        }
      }
    } finally {
      for (const peer of peers) await peer.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }

    const results: PeerResult[] = peers.map((peer) => {
      const samples = Float64Array.from(latency.get(peer.name)!).sort();
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      const rounds = throughput.get(peer.name)!;
      return {
        name: peer.name,
        roundTripUs: {
          p50: percentile(samples, 0.5),
          p99: percentile(samples, 0.99),
          mean,
          samples: samples.length,
          rme: rmePercent(samples),
        },
        throughput: { tasksPerSec: median(rounds), rounds, rme: rmePercent(rounds) },
      };
    });

    const cases: BenchCaseResult[] = [];
    for (const r of results) {
      cases.push({
        name: `round trip: ${r.name}`,
        opsPerSec: 1e6 / r.roundTripUs.mean,
        rmePercent: r.roundTripUs.rme,
        meanNs: r.roundTripUs.mean * 1000,
        samples: r.roundTripUs.samples,
      });
    }
    for (const r of results) {
      cases.push({
        name: `throughput (${count(profile.inFlight)} in flight): ${r.name}`,
        opsPerSec: r.throughput.tasksPerSec,
        rmePercent: r.throughput.rme,
        meanNs: 1e9 / r.throughput.tasksPerSec,
        samples: r.throughput.rounds.length,
      });
    }
    for (const c of cases) options.onCase?.(c);

    const by = (name: string) => results.find((r) => r.name === name)!;
    const threads = by('gil-lab ThreadPoolExecutor');
    const processes = by('gil-lab ProcessPoolExecutor');
    const piscina = by('piscina (threads)');
    const processesJson = by('gil-lab ProcessPoolExecutor (json)');
    const wpProcesses = by('workerpool (processes)');
    const table: BenchTable = {
      title: `Executors, trivial task, ${workers} workers each (round trip: ${profile.rounds} × ${count(profile.roundTrips)} calls; throughput: ${count(profile.inFlight)} tasks in flight, median of ${profile.throughputRounds})`,
      columns: [
        { key: 'executor', header: 'executor', align: 'left' },
        { key: 'p50', header: 'round trip p50 (µs)', align: 'right' },
        { key: 'p99', header: 'p99 (µs)', align: 'right' },
        { key: 'mean', header: 'mean (µs)', align: 'right' },
        { key: 'throughput', header: 'throughput (tasks/s)', align: 'right' },
        { key: 'vsPiscina', header: 'vs piscina', align: 'right' },
      ],
      rows: results.map((r) => ({
        executor: r.name,
        p50: us(r.roundTripUs.p50),
        p99: us(r.roundTripUs.p99),
        mean: us(r.roundTripUs.mean),
        throughput: count(r.throughput.tasksPerSec),
        vsPiscina: `${(r.throughput.tasksPerSec / piscina.throughput.tasksPerSec).toFixed(2)}×`,
      })),
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const tputRatio = threads.throughput.tasksPerSec / piscina.throughput.tasksPerSec;
    const procRatio = processes.throughput.tasksPerSec / wpProcesses.throughput.tasksPerSec;
    const notes = [
      `ThreadPoolExecutor throughput ${count(threads.throughput.tasksPerSec)} tasks/s = ${tputRatio.toFixed(2)}× piscina's ${count(piscina.throughput.tasksPerSec)}; target ≥ 1×: ${verdict(tputRatio >= 1)}`,
      `ThreadPoolExecutor round trip p50 ${us(threads.roundTripUs.p50)} µs vs piscina's ${us(piscina.roundTripUs.p50)} µs, mean ${us(threads.roundTripUs.mean)} vs ${us(piscina.roundTripUs.mean)} µs; target no slower: p50 ${verdict(threads.roundTripUs.p50 <= piscina.roundTripUs.p50)}, mean ${verdict(threads.roundTripUs.mean <= piscina.roundTripUs.mean)}`,
      `ProcessPoolExecutor throughput ${count(processes.throughput.tasksPerSec)} tasks/s = ${procRatio.toFixed(2)}× workerpool's process mode (${count(wpProcesses.throughput.tasksPerSec)}); target ≥ 1.5×: ${verdict(procRatio >= 1.5)}`,
      `a process round trip costs ${us(processes.roundTripUs.p50)} µs against ${us(threads.roundTripUs.p50)} µs for a thread (p50): IPC through a pipe and serialization vs a MessagePort in one process; with 'json' serialization (workerpool's) instead of 'advanced' it is ${us(processesJson.roundTripUs.p50)} µs`,
    ];
    return {
      suite: 'executors',
      description: this.description,
      cases,
      notes,
      tables: [table],
      data: { workers, profile, results },
    };
  },
};
