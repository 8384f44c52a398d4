// convoy: an I/O thread beside CPU-bound threads. Every blocking call releases the lock, and
// getting it back means waiting for the CPU threads to be asked to drop it, one after another:
// about a switch interval per CPU thread per operation (the convoy effect), unless there is no lock.
import { performance } from 'node:perf_hooks';
import { Interpreter, type Policy } from '../interpreter.js';
import { ThreadPoolExecutor } from '../executors/index.js';
import { formatCount, formatNs, type TableColumn } from '../report/index.js';
import { lockTrace, task, TRACE_CAPACITY, withMainLock } from './harness.js';
import { percentile, plural, round, sleep, times } from './measure.js';
import { bySize, switchIntervalUs } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { IoLoopResult } from './tasks.js';
import type { ExperimentOptions, LockTrace, Measurement } from './types.js';

export interface ConvoyRow extends Record<string, string | number | boolean | null> {
  policy: Policy;
  cpuThreads: number;
  /** Median and 99th percentile round-trip latency of the I/O thread, microseconds. */
  p50Us: number;
  p99Us: number;
  /** The longest round trip, microseconds: the waits for the lock show here even when rare. */
  maxUs: number;
  opsPerSecond: number;
}

export const CONVOY_COLUMNS: TableColumn[] = [
  { key: 'policy' },
  { key: 'cpuThreads', header: 'CPU threads' },
  { key: 'p50Us', header: 'I/O p50', format: (v) => formatNs((v as number) * 1000) },
  { key: 'p99Us', header: 'I/O p99', format: (v) => formatNs((v as number) * 1000) },
  { key: 'maxUs', header: 'I/O max', format: (v) => formatNs((v as number) * 1000) },
  { key: 'opsPerSecond', header: 'I/O ops/s', format: (v) => formatCount(Math.round(v as number)) },
];

/** Mean time per operation of a row, µs (the inverse of its throughput). */
export function meanLatencyUs(row: { opsPerSecond: number }): number {
  return 1e6 / row.opsPerSecond;
}

/**
 * The claim: beside a CPU-bound thread, an I/O thread under the lock waits for it: its mean time
 * per operation grows at least 5× over its time alone, its longest wait reaches at least half a
 * switch interval — and without a lock (policy none) it keeps at least twice the locked throughput.
 * (Not p99: with fast I/O most round trips take the lock back before the CPU thread wakes, as in
 * CPython on a busy machine, and the interval-long waits are rarer than 1 in 100 yet dominate.)
 */
export function convoyVerdict(
  rows: readonly ConvoyRow[],
  context: { switchIntervalUs: number },
): { holds: boolean | null; text: string } {
  const find = (policy: Policy, cpuThreads: number) =>
    rows.find((row) => row.policy === policy && row.cpuThreads === cpuThreads);
  const busyThreads = Math.min(...rows.filter((row) => row.cpuThreads > 0).map((row) => row.cpuThreads));
  const lockPolicy = (['cpython', 'fifo', 'legacy'] as Policy[]).find((policy) => find(policy, busyThreads));
  if (!lockPolicy || !Number.isFinite(busyThreads)) {
    return {
      holds: null, // not testable: with --policy none alone there is no lock to convoy behind
      text: 'The run has no lock policy with CPU threads beside the I/O thread, so there is no convoy to measure.',
    };
  }
  const alone = find(lockPolicy, 0);
  const busy = find(lockPolicy, busyThreads)!;
  const free = find('none', busyThreads);
  const intervalUs = context.switchIntervalUs;
  const us = (value: number) => formatNs(value * 1000);
  const slowed = (!alone || busy.opsPerSecond * 5 <= alone.opsPerSecond) && busy.maxUs >= 0.5 * intervalUs;
  const freeFast = !free || free.opsPerSecond >= 2 * busy.opsPerSecond;
  const holds = slowed && freeFast;
  let text =
    `Under ${lockPolicy}, beside ${plural(busyThreads, 'CPU thread')}, the I/O thread managed ` +
    `${formatCount(Math.round(busy.opsPerSecond))} round trips/s (${us(meanLatencyUs(busy))} each on average, p99 ${us(busy.p99Us)}, longest wait ${us(busy.maxUs)}, ` +
    `with a ${us(intervalUs)} switch interval: ${round(meanLatencyUs(busy) / intervalUs, 2)} intervals per operation)`;
  text += alone
    ? ` against ${formatCount(Math.round(alone.opsPerSecond))}/s alone (${times(alone.opsPerSecond / busy.opsPerSecond)} slower)`
    : '';
  text += free ? `; with no lock (policy none) it kept ${formatCount(Math.round(free.opsPerSecond))}/s.` : '.';
  if (!slowed) text += ' The I/O thread did not wait for the lock as the claim says.';
  if (!freeFast) text += ' Without a lock it was hardly faster, so the lock is not what slowed it.';
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

/** Milliseconds the I/O thread runs beside the CPU threads, per size (the CPython twin runs as long). */
export const CONVOY_DURATION_MS = [40, 300, 1000, 3000] as const;
/** Bytes per round trip: a small request, as in a chatty protocol. */
export const CONVOY_MESSAGE_BYTES = 64;
/** CPU threads spin in calls of this length (each checkpointing between its slices). */
const CPU_CALL_NS = 500_000;

export interface IoBesideCpu {
  latenciesUs: number[];
  ioSeconds: number;
  ioThreadId: number;
  cpu: { calls: number; threadId: number; seconds: number }[];
  events?: ReturnType<Interpreter['stopTrace']>;
}

/**
 * Runs one I/O thread (pipe round trips that let go of the lock around each blocking call) for
 * `durationMs` beside `cpuThreads` CPU-bound hold-mode threads, all under the main lock, on a pool
 * with at least cpuThreads + 1 workers.
 */
export async function ioBesideCpu(
  pool: ThreadPoolExecutor,
  cpuThreads: number,
  durationMs: number,
  trace: boolean,
): Promise<IoBesideCpu> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const running = new Int32Array(new SharedArrayBuffer(4));
  const cpuFutures = Array.from({ length: cpuThreads }, () =>
    pool.submit<{ calls: number; threadId: number; seconds: number }>(task('spinUntil'), stop, running, CPU_CALL_NS),
  );
  try {
    // The CPU threads must be running before the I/O thread starts measuring.
    const deadline = performance.now() + 10_000;
    while (Atomics.load(running, 0) < cpuThreads) {
      if (performance.now() > deadline) throw new Error('convoy: the CPU threads did not start within 10 s');
      await sleep(1);
    }
    const main = Interpreter.main();
    if (trace) main.startTrace({ capacity: TRACE_CAPACITY });
    let io: IoLoopResult;
    try {
      io = await pool.submit<IoLoopResult>(task('ioLoop'), durationMs, 1_000_000, CONVOY_MESSAGE_BYTES, 'release');
    } catch (error) {
      if (trace) main.stopTrace();
      throw error;
    }
    const events = trace ? main.stopTrace() : undefined;
    Atomics.store(stop, 0, 1);
    const cpu = await Promise.all(cpuFutures);
    return {
      latenciesUs: io.latenciesUs,
      ioSeconds: io.seconds,
      ioThreadId: io.threadId,
      cpu,
      ...(events ? { events } : {}),
    };
  } finally {
    Atomics.store(stop, 0, 1);
    await Promise.allSettled(cpuFutures);
  }
}

async function measureConvoy(options: ExperimentOptions, step: Stepper): Promise<Measurement<ConvoyRow>> {
  const policies: Policy[] = options.policy ? [options.policy] : ['cpython', 'fifo', 'none'];
  const cpuCounts = [0, 1, 2, 4];
  const durationMs = bySize(options.size, CONVOY_DURATION_MS);
  const intervalUs = switchIntervalUs(options);
  step.plan(policies.length * cpuCounts.length);
  const rows: ConvoyRow[] = [];
  const traces: LockTrace[] = [];
  for (const policy of policies) {
    await withMainLock({ policy, switchIntervalUs: intervalUs }, async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: Math.max(...cpuCounts) + 1, lock: 'shared' });
      try {
        await pool.start();
        for (const cpuThreads of cpuCounts) {
          step(`${policy}, I/O beside ${plural(cpuThreads, 'CPU thread')}`);
          // The timeline: the first lock policy, beside one CPU thread.
          const tracing = options.trace && cpuThreads === 1 && policy === policies[0] && policy !== 'none';
          // Alone, the latency is short and steady: a fraction of the time gives as many samples.
          const run = await ioBesideCpu(pool, cpuThreads, cpuThreads === 0 ? durationMs / 3 : durationMs, tracing);
          rows.push({
            policy,
            cpuThreads,
            p50Us: round(percentile(run.latenciesUs, 50)),
            p99Us: round(percentile(run.latenciesUs, 99)),
            maxUs: round(run.latenciesUs.reduce((a, b) => (b > a ? b : a), 0)),
            opsPerSecond: round(run.latenciesUs.length / run.ioSeconds),
          });
          if (run.events) {
            traces.push(
              lockTrace(
                `convoy: an I/O thread beside a CPU-bound thread (${policy}, ${formatNs(intervalUs * 1000)} interval)`,
                run.events,
                [
                  { threadId: run.ioThreadId, name: 'I/O thread' },
                  ...run.cpu.map((c, i) => ({ threadId: c.threadId, name: `CPU thread ${i + 1}` })),
                ],
                6 * intervalUs * 1000,
              ),
            );
          }
        }
      } finally {
        await pool.shutdown();
      }
    });
  }
  return {
    rows,
    verdict: convoyVerdict(rows, { switchIntervalUs: intervalUs }),
    ...(traces.length > 0 ? { traces } : {}),
    charts: [
      {
        title: 'Mean I/O round-trip time beside CPU-bound threads',
        xLabel: 'CPU-bound threads',
        yLabel: 'mean round trip (µs)',
        logY: true,
        series: policies.map((policy) => ({
          label: policy,
          points: rows.filter((r) => r.policy === policy).map((r) => ({ x: r.cpuThreads, y: round(meanLatencyUs(r)) })),
        })),
      },
    ],
  };
}

export const convoy = defineExperiment<ConvoyRow>({
  name: 'convoy',
  question: 'What happens to an I/O thread next to a CPU-bound thread?',
  claim:
    'An I/O thread next to CPU-bound threads is slowed several-fold: every blocking call gives up the lock, and when a CPU thread ' +
    'has it as the call returns, getting it back takes about one switch interval per CPU thread (the convoy effect).',
  inCpython:
    "The new GIL of 3.2 brought the convoy (Beazley's report, bpo-7946): every blocking call drops the GIL and taking it back waits " +
    'for the switch interval (sys.setswitchinterval, default 5 ms); the free-threaded build (3.13, PEP 703) has no GIL to wait for.',
  narrative:
    'One thread makes pipe round trips to an echo thread, letting go of the lock around each blocking call as CPython does; ' +
    'beside it run 0, 1, 2 and 4 CPU-bound threads that hold the lock. Every time the I/O thread comes back from the kernel it ' +
    'needs the lock again, and a CPU thread gives it up only when asked, after the switch interval. In CPython the convoy also ' +
    'depends on load: on a busy machine the I/O thread often takes the GIL back before a spinning thread is scheduled again, ' +
    'and waits far less than an interval (--against-cpython shows what this machine does).',
  columns: CONVOY_COLUMNS,
  traceable: true,
  takes: ['policy', 'switchIntervalMs', 'size'],
  footnotes: [
    'The none rows (no lock) jump from run to run: without a lock nothing orders the threads, so when the I/O thread runs is ' +
      'up to the OS scheduler, and with as many busy threads as cores it waits for a core instead of the lock.',
  ],
  measure: measureConvoy,
});
