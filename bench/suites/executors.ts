// Executors against their peers, all in one run, on a trivial task (add two numbers), so that what
// is timed is the executor itself:
//  - round trip: one task at a time, submit and await (latency);
//  - throughput: N tasks in flight at once (100,000; 20,000 with --quick), submit all, await all.
// Peers: gil-lab's ThreadPoolExecutor and ProcessPoolExecutor (its default 'advanced' serialization,
// and 'json' as workerpool uses), piscina (threads) and workerpool (threads and processes), each
// with the same number of workers, started before timing.
// The machine may be busy with other work: rounds alternate between the executors so that a
// disturbance hits all of them alike, and each figure is the median over rounds.
// piscina and workerpool are dev dependencies: from an installed package (dist/bench ships) the
// suite runs gil-lab's pools alone and says which peers it skipped.
// Targets (issue 16): each pool's round trip (p50 and mean) no slower than its peer's (piscina for
// threads, workerpool's process mode for processes) and its throughput ≥ 5× the peer's. The notes
// say whether this run met them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';
import type { BenchCaseResult, BenchOptions, BenchSuite, BenchSuiteResult, BenchTable } from '../suite.js';

interface Peer {
  name: string;
  start(): Promise<void>;
  call(a: number, b: number): Promise<unknown>;
  close(): Promise<void>;
}

/** The parts of piscina and workerpool the suite uses (they are loaded only if installed). */
interface PiscinaPool {
  run(task: unknown): Promise<unknown>;
  destroy(): Promise<void>;
}
interface WorkerpoolPool {
  exec(method: string, args: unknown[]): PromiseLike<unknown>;
  terminate(): PromiseLike<unknown>;
}
export interface PeerLibraries {
  piscina?: new (options: { filename: string; minThreads: number; maxThreads: number }) => PiscinaPool;
  workerpool?: { pool(script: string, options: Record<string, unknown>): WorkerpoolPool };
  workerpoolPath?: string;
  /** Peers that are not installed (and are skipped), by package name. */
  missing: string[];
}

/** Loads the peer pools that are installed; the others are listed in `missing`. */
export async function loadPeerLibraries(): Promise<PeerLibraries> {
  const libraries: PeerLibraries = { missing: [] };
  try {
    const piscina = (await import('piscina' as string)) as { Piscina: PeerLibraries['piscina'] };
    libraries.piscina = piscina.Piscina;
  } catch {
    libraries.missing.push('piscina');
  }
  try {
    const workerpool = (await import('workerpool' as string)) as { default: PeerLibraries['workerpool'] };
    libraries.workerpool = workerpool.default;
    libraries.workerpoolPath = createRequire(import.meta.url).resolve('workerpool');
  } catch {
    libraries.missing.push('workerpool');
  }
  return libraries;
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
function writeTaskFiles(dir: string, workerpoolPath: string | undefined): { esm: string; workerpoolScript: string } {
  const esm = path.join(dir, 'add.mjs');
  writeFileSync(
    esm,
    'export function add(a, b) { return a + b; }\nexport default function ({ a, b }) { return a + b; }\n',
  );
  const workerpoolScript = path.join(dir, 'workerpool-add.cjs');
  if (workerpoolPath !== undefined) {
    writeFileSync(
      workerpoolScript,
      `const workerpool = require(${JSON.stringify(workerpoolPath)});\nworkerpool.worker({ add: (a, b) => a + b });\n`,
    );
  }
  return { esm, workerpoolScript };
}

const THREADS_NO_SPIN = 'gil-lab ThreadPoolExecutor (idleSpinUs 0)';
const PROCESSES_NO_SPIN = 'gil-lab ProcessPoolExecutor (idleSpinUs 0)';

function makePeers(workers: number, files: { esm: string; workerpoolScript: string }, libs: PeerLibraries): Peer[] {
  const task = { module: pathToFileURL(files.esm), export: 'add' };
  const ours = (name: string, pool: ThreadPoolExecutor | ProcessPoolExecutor): Peer => ({
    name,
    start: () => pool.start(),
    call: (a, b) => pool.submit(task, a, b),
    close: () => pool.shutdown(),
  });
  const peers: Peer[] = [
    ours('gil-lab ThreadPoolExecutor', new ThreadPoolExecutor({ maxWorkers: workers })),
    // The same pool with idle workers that sleep at once: what polling for the next task saves.
    ours(THREADS_NO_SPIN, new ThreadPoolExecutor({ maxWorkers: workers, idleSpinUs: 0 })),
  ];
  if (libs.piscina !== undefined) {
    const piscina = new libs.piscina({
      filename: pathToFileURL(files.esm).href,
      minThreads: workers,
      maxThreads: workers,
    });
    peers.push({
      name: 'piscina (threads)',
      start: async () => {
        await Promise.all(Array.from({ length: workers * 4 }, (_, i) => piscina.run({ a: i, b: 1 })));
      },
      call: (a, b) => piscina.run({ a, b }),
      close: () => piscina.destroy(),
    });
  }
  const workerpoolPeer = (workerType: 'thread' | 'process', name: string): Peer => {
    const pool = libs.workerpool!.pool(files.workerpoolScript, {
      minWorkers: workers,
      maxWorkers: workers,
      workerType,
    });
    return {
      name,
      start: async () => {
        await Promise.all(Array.from({ length: workers * 4 }, (_, i) => pool.exec('add', [i, 1])));
      },
      call: async (a, b) => pool.exec('add', [a, b]),
      close: async () => {
        await pool.terminate();
      },
    };
  };
  if (libs.workerpool !== undefined) peers.push(workerpoolPeer('thread', 'workerpool (threads)'));
  peers.push(
    ours('gil-lab ProcessPoolExecutor', new ProcessPoolExecutor({ maxWorkers: workers })),
    ours(PROCESSES_NO_SPIN, new ProcessPoolExecutor({ maxWorkers: workers, idleSpinUs: 0 })),
    ours('gil-lab ProcessPoolExecutor (json)', new ProcessPoolExecutor({ maxWorkers: workers, serialization: 'json' })),
  );
  if (libs.workerpool !== undefined) peers.push(workerpoolPeer('process', 'workerpool (processes)'));
  return peers;
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
    const libs = await loadPeerLibraries();
    const peers = makePeers(workers, writeTaskFiles(dir, libs.workerpoolPath), libs);
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

    const by = (name: string) => results.find((r) => r.name === name);
    const threads = by('gil-lab ThreadPoolExecutor')!;
    const processes = by('gil-lab ProcessPoolExecutor')!;
    const processesJson = by('gil-lab ProcessPoolExecutor (json)')!;
    const threadsNoSpin = by(THREADS_NO_SPIN)!;
    const processesNoSpin = by(PROCESSES_NO_SPIN)!;
    const piscina = by('piscina (threads)');
    const wpThreads = by('workerpool (threads)');
    const wpProcesses = by('workerpool (processes)');
    const columns: BenchTable['columns'] = [
      { key: 'executor', header: 'executor', align: 'left' },
      { key: 'p50', header: 'round trip p50 (µs)', align: 'right' },
      { key: 'p99', header: 'p99 (µs)', align: 'right' },
      { key: 'mean', header: 'mean (µs)', align: 'right' },
      { key: 'throughput', header: 'throughput (tasks/s)', align: 'right' },
    ];
    if (piscina !== undefined) columns.push({ key: 'vsPiscina', header: 'vs piscina', align: 'right' });
    const table: BenchTable = {
      title: `Executors, trivial task, ${workers} workers each (round trip: ${profile.rounds} × ${count(profile.roundTrips)} calls; throughput: ${count(profile.inFlight)} tasks in flight, median of ${profile.throughputRounds})`,
      columns,
      rows: results.map((r) => ({
        executor: r.name,
        p50: us(r.roundTripUs.p50),
        p99: us(r.roundTripUs.p99),
        mean: us(r.roundTripUs.mean),
        throughput: count(r.throughput.tasksPerSec),
        ...(piscina === undefined
          ? {}
          : { vsPiscina: `${(r.throughput.tasksPerSec / piscina.throughput.tasksPerSec).toFixed(2)}×` }),
      })),
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    // Targets (issue 16): a round trip no slower than the peer's (p50 and mean), throughput ≥ 5× it.
    const against = (ours: PeerResult, peer: PeerResult, what: string): string[] => {
      const ratio = ours.throughput.tasksPerSec / peer.throughput.tasksPerSec;
      return [
        `${ours.name} round trip p50 ${us(ours.roundTripUs.p50)} µs vs ${what}'s ${us(peer.roundTripUs.p50)} µs, mean ${us(ours.roundTripUs.mean)} vs ${us(peer.roundTripUs.mean)} µs; target no slower: p50 ${verdict(ours.roundTripUs.p50 <= peer.roundTripUs.p50)}, mean ${verdict(ours.roundTripUs.mean <= peer.roundTripUs.mean)}`,
        `${ours.name} throughput ${count(ours.throughput.tasksPerSec)} tasks/s = ${ratio.toFixed(2)}× ${what}'s ${count(peer.throughput.tasksPerSec)}; target ≥ 5×: ${verdict(ratio >= 5)}`,
      ];
    };
    const notes: string[] = [];
    if (piscina !== undefined) notes.push(...against(threads, piscina, 'piscina'));
    if (wpThreads !== undefined) notes.push(...against(threads, wpThreads, 'workerpool (threads)'));
    if (wpProcesses !== undefined) notes.push(...against(processes, wpProcesses, "workerpool's process mode"));
    notes.push(
      `a process round trip costs ${us(processes.roundTripUs.p50)} µs against ${us(threads.roundTripUs.p50)} µs for a thread (p50): IPC through a pipe and serialization vs a MessagePort in one process; with 'json' serialization (workerpool's) instead of 'advanced' it is ${us(processesJson.roundTripUs.p50)} µs`,
    );
    notes.push(
      `an idle worker polls for its next task (idleSpinUs, default 100 µs) before it sleeps: a round trip's p50 is ${us(threads.roundTripUs.p50)} µs for a thread and ${us(processes.roundTripUs.p50)} µs for a process, against ${us(threadsNoSpin.roundTripUs.p50)} and ${us(processesNoSpin.roundTripUs.p50)} µs with idleSpinUs 0 (the worker sleeps at once and the task has to wake it)`,
    );
    if (libs.missing.length > 0) {
      notes.push(
        `skipped the comparison with ${libs.missing.join(' and ')}: not installed here (npm install ${libs.missing.join(' ')} to compare)`,
      );
    }
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
