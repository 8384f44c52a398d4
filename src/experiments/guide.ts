// "What should I use?": the decision guide at the end of the tour, computed from the run's own
// rows. Every recommendation names the figure behind it; a workload whose experiment did not run
// says so instead of falling back on the literature's usual answer.
import { formatBytes, formatGBps, formatNs } from '../report/index.js';
import { plural, times } from './measure.js';
import { NO_SPEEDUP_BELOW } from './cpu-bound.js';
import type { Row, Size } from './types.js';

export interface GuideRow {
  /** The kind of work, as a reader would describe theirs. */
  workload: string;
  /** What to use for it on this machine. */
  recommendation: string;
  /** The measured figures behind the recommendation (or what was not measured). */
  evidence: string;
  /** The experiments the figures come from. */
  from: string[];
}

export interface GuideInput {
  /** Rows by experiment name; an experiment that did not run (or failed) is absent. */
  results: ReadonlyMap<string, readonly Row[]> | Readonly<Record<string, readonly Row[]>>;
  /** Hardware threads of the machine. */
  cpus: number;
  size: Size;
}

/** Start-up or per-task overhead should stay under this share of a task's time. */
export const OVERHEAD_SHARE = 0.1;

const NOT_MEASURED = 'not measured in this run';

type Lookup = (name: string) => readonly Row[] | undefined;

function num(row: Row | undefined, key: string): number | undefined {
  const value = row?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function notMeasured(workload: string, experiments: string[]): GuideRow {
  return {
    workload,
    recommendation: NOT_MEASURED,
    evidence: `run ${experiments.map((name) => `\`gil-lab run ${name}\``).join(' and ')} to measure it`,
    from: experiments,
  };
}

/** The cpu-bound row of `mode` at its largest worker count. */
function widest(rows: readonly Row[], mode: string): Row | undefined {
  return rows.filter((row) => row.mode === mode).sort((a, b) => (num(b, 'workers') ?? 0) - (num(a, 'workers') ?? 0))[0];
}

function cpuPurePython(get: Lookup): GuideRow {
  const workload = 'CPU-bound pure-Python-style work';
  const rows = get('cpu-bound');
  const hold = rows && widest(rows, 'threads-hold');
  const processes = rows && widest(rows, 'processes');
  if (!rows || !hold || !processes) return notMeasured(workload, ['cpu-bound']);
  const workers = num(processes, 'workers')!;
  const sub = widest(rows, 'subinterpreters');
  const free = widest(rows, 'free-threaded');
  const freeAlone = rows.find((row) => row.mode === 'free-threaded' && row.workers === 1);
  const processSpeedup = num(processes, 'speedup')!;
  const holdSpeedup = num(hold, 'speedup')!;
  let evidence = `processes: ${times(processSpeedup)} on ${workers} workers; threads under the lock: ${times(holdSpeedup)}`;
  if (sub) evidence += `; subinterpreters (own lock each): ${times(num(sub, 'speedup')!)}`;
  if (free) evidence += `; free-threaded: ${times(num(free, 'speedup')!)}`;
  if (freeAlone) evidence += ` (alone, ${times(num(freeAlone, 'speedup')!)} the GIL build's serial speed)`;
  const escapes = processSpeedup >= NO_SPEEDUP_BELOW && processSpeedup > holdSpeedup;
  const recommendation = escapes
    ? 'processes (ProcessPoolExecutor); subinterpreters or the free-threaded build where your code and extensions support them — not threads'
    : `nothing parallel paid off here (processes reached only ${times(processSpeedup)}): keep it serial, or find more cores`;
  return { workload, recommendation, evidence: `${evidence}.`, from: ['cpu-bound'] };
}

function cpuNative(get: Lookup): GuideRow {
  const workload = 'CPU-bound native code that releases the lock (numpy, hashlib on big buffers)';
  const rows = get('cpu-bound');
  const release = rows && widest(rows, 'threads-release');
  if (!rows || !release) return notMeasured(workload, ['cpu-bound']);
  const speedup = num(release, 'speedup')!;
  const workers = num(release, 'workers')!;
  const processes = widest(rows, 'processes');
  let evidence = `threads releasing the lock: ${times(speedup)} on ${workers} workers`;
  if (processes) evidence += `; processes: ${times(num(processes, 'speedup')!)}, at the cost of start-up and copying`;
  const recommendation =
    speedup >= NO_SPEEDUP_BELOW
      ? 'threads (ThreadPoolExecutor): the lock is released inside the native loop, and threads share the data without copying'
      : `threads would be the answer, but here they reached only ${times(speedup)}: check the CPUs are free`;
  return { workload, recommendation, evidence: `${evidence}.`, from: ['cpu-bound'] };
}

function ioBound(get: Lookup): GuideRow {
  const workload = 'I/O-bound work (network, disk, subprocesses)';
  const rows = get('io-bound');
  const threads = rows?.find((row) => row.mode === 'threads');
  if (!rows || !threads) return notMeasured(workload, ['io-bound']);
  const holding = rows.find((row) => row.mode === 'threads-holding');
  const loop = rows.find((row) => typeof row.mode === 'string' && /event|loop|async/.test(row.mode));
  const n = num(threads, 'threads')!;
  const speedup = num(threads, 'speedup')!;
  let evidence = `${n} threads blocking with the lock released: ${times(speedup)} one thread's rate`;
  if (holding) evidence += `; blocking while holding it: ${times(num(holding, 'speedup')!)}`;
  if (loop) evidence += `; one thread's event loop (${String(loop.mode)}): ${times(num(loop, 'speedup') ?? NaN)}`;
  const convoy = get('convoy')?.find(
    (row) => row.policy === 'cpython' && (num(row, 'cpuThreads') ?? 0) > 0 && num(row, 'p99Us') !== undefined,
  );
  if (convoy) {
    evidence +=
      `; beside ${plural(num(convoy, 'cpuThreads')!, 'CPU-bound thread')} each I/O operation waited for the lock ` +
      `(p99 ${formatNs(num(convoy, 'p99Us')! * 1000)})`;
  }
  const recommendation =
    speedup >= NO_SPEEDUP_BELOW
      ? `threads or asyncio — and keep CPU-bound work off the I/O threads${convoy ? ' (the convoy figure)' : ''}`
      : `threads did not overlap their waits here (${times(speedup)}); measure before choosing`;
  return { workload, recommendation, evidence: `${evidence}.`, from: ['io-bound', ...(convoy ? ['convoy'] : [])] };
}

function smallTasks(get: Lookup): GuideRow {
  const workload = 'many small tasks';
  const startup = get('startup');
  const process = startup?.find((row) => row.kind === 'process');
  const thread = startup?.find((row) => row.kind === 'os-thread');
  if (!process || !thread) return notMeasured(workload, ['startup', 'ipc']);
  const processMs = num(process, 'startupMs')!;
  const threadMs = num(thread, 'startupMs')!;
  // A pooled task's round trip: the smallest payload sent to a pooled process and back.
  const roundTrip = get('ipc')
    ?.filter((row) => row.method === 'process advanced')
    .sort((a, b) => (num(a, 'payloadBytes') ?? 0) - (num(b, 'payloadBytes') ?? 0))[0];
  const roundTripMs = roundTrip ? num(roundTrip, 'seconds')! * 1000 : undefined;
  const ns = (ms: number) => formatNs(ms * 1e6);
  let evidence = `start-up of a process here: ${ns(processMs)}, of a thread: ${ns(threadMs)}`;
  let recommendation = `start a pool once and reuse it: a process per task pays ${ns(processMs)} each, so tasks shorter than ${ns(processMs / OVERHEAD_SHARE)} should be batched`;
  if (roundTripMs !== undefined) {
    evidence += `; a round trip to a pooled process: ${ns(roundTripMs)}`;
    recommendation += `; even pooled, tasks shorter than ${ns(roundTripMs / OVERHEAD_SHARE)} should go in chunks (map's chunksize)`;
  }
  return {
    workload,
    recommendation,
    evidence: `${evidence} (batching keeps the overhead under ${Math.round(OVERHEAD_SHARE * 100)}%).`,
    from: ['startup', ...(roundTripMs !== undefined ? ['ipc'] : [])],
  };
}

function largeData(get: Lookup): GuideRow {
  const workload = 'large data (arrays, buffers)';
  const rows = get('ipc');
  const largest = (method: string) =>
    rows
      ?.filter((row) => row.method === method)
      .sort((a, b) => (num(b, 'payloadBytes') ?? 0) - (num(a, 'payloadBytes') ?? 0))[0];
  const copy = largest('process advanced');
  const shm = largest('process SharedMemory');
  const sab = largest('thread SharedArrayBuffer');
  if (!copy || !shm) return notMeasured(workload, ['ipc']);
  const bytes = num(copy, 'payloadBytes')!;
  const gbps = (row: Row) => formatGBps(num(row, 'gbPerSecond')! * 1e9);
  let evidence = `at ${formatBytes(bytes)}, a pickled copy to a process: ${gbps(copy)}; shared memory with a process: ${gbps(shm)}`;
  if (sab) evidence += `; shared with a thread: ${gbps(sab)}`;
  const gain = num(copy, 'seconds')! / num(shm, 'seconds')!;
  const memory = get('memory-bound');
  const sum = memory
    ?.filter((row) => row.kernel === 'sum')
    .sort((a, b) => (num(b, 'workers') ?? 0) - (num(a, 'workers') ?? 0))[0];
  const sumSpeedup = sum ? num(sum, 'speedup') : undefined;
  if (sum && sumSpeedup !== undefined)
    evidence += `; streaming through memory with ${num(sum, 'workers')} workers: ${times(sumSpeedup)}`;
  const recommendation =
    gain > 1
      ? `share it, do not copy it: threads, or multiprocessing.shared_memory with processes (${times(gain)} faster than pickling here)`
      : `copying was as fast as sharing at ${formatBytes(bytes)} here; either will do`;
  return { workload, recommendation, evidence: `${evidence}.`, from: ['ipc', ...(sum ? ['memory-bound'] : [])] };
}

/** The guide's rows, in the order the tour asks them. */
export function decisionGuide(input: GuideInput): GuideRow[] {
  const results = input.results;
  const get: Lookup = (name) =>
    results instanceof Map ? results.get(name) : (results as Readonly<Record<string, readonly Row[]>>)[name];
  return [cpuPurePython(get), cpuNative(get), ioBound(get), smallTasks(get), largeData(get)];
}

/** A line under the guide: how far to trust it. */
export function guideCaveat(input: Pick<GuideInput, 'cpus' | 'size'>): string {
  const parts = [`Computed from this run's figures on ${plural(input.cpus, 'CPU')}.`];
  if (input.size === 'tiny') parts.push('At --size tiny they are too noisy to choose by: rerun at small or larger.');
  if (input.cpus < 2)
    parts.push('With one CPU nothing runs in parallel: parallel figures do not apply to bigger machines.');
  return parts.join(' ');
}
