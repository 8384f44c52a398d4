// switch-interval: the trade the switch interval makes. A short interval hands the lock to a
// waiting I/O thread sooner (lower latency) but interrupts the CPU-bound thread more often.
import { Interpreter } from '../interpreter.js';
import { ThreadPoolExecutor } from '../executors/index.js';
import { formatCount, formatNs, formatPercent, type TableColumn } from '../report/index.js';
import { ioBesideCpu } from './convoy.js';
import { configureWhenFree, lockTrace, withMainLock } from './harness.js';
import { median, percentile, round, times } from './measure.js';
import { native } from '../native.js';
import { bySize } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { ExperimentOptions, LockTrace, Measurement } from './types.js';

export interface SwitchIntervalRow extends Record<string, string | number | boolean | null> {
  switchIntervalMs: number;
  /** The CPU thread's spin calls (0.5 ms of work each) per second. */
  cpuOpsPerSecond: number;
  /** The CPU thread's share of the lock: held time / wall time. */
  cpuShare: number;
  ioP50Us: number;
  ioP99Us: number;
  /** Mean time per I/O operation, µs (1 / throughput). */
  ioMeanUs: number;
  ioOpsPerSecond: number;
  switches: number;
  /** Median time from a drop request to the new holder taking the lock, µs (null: no hand-off). */
  handoffP50Us: number | null;
  /** The CPU thread's kernel slice (the time between its checkpoints), µs. */
  sliceUs: number;
}

export const SWITCH_INTERVAL_COLUMNS: TableColumn[] = [
  { key: 'switchIntervalMs', header: 'interval', format: (v) => formatNs((v as number) * 1e6) },
  { key: 'cpuOpsPerSecond', header: 'CPU calls/s', format: (v) => formatCount(Math.round(v as number)) },
  { key: 'cpuShare', header: 'CPU lock share', format: (v) => formatPercent(v as number, 0) },
  { key: 'ioMeanUs', header: 'I/O mean', format: (v) => formatNs((v as number) * 1000) },
  { key: 'ioP50Us', header: 'I/O p50', format: (v) => formatNs((v as number) * 1000) },
  { key: 'ioP99Us', header: 'I/O p99', format: (v) => formatNs((v as number) * 1000) },
  { key: 'ioOpsPerSecond', header: 'I/O ops/s', format: (v) => formatCount(Math.round(v as number)) },
  { key: 'switches', format: (v) => formatCount(v as number) },
  { key: 'handoffP50Us', header: 'drop → holder', format: (v) => (v === null ? '—' : formatNs((v as number) * 1000)) },
  { key: 'sliceUs', header: 'CPU slice', format: (v) => formatNs((v as number) * 1000) },
];

/**
 * The claim: a longer switch interval makes the I/O thread wait longer (its mean time per operation
 * grows at least 3× from the shortest interval swept to the longest) and leaves the CPU thread more
 * of the lock (its share of the wall time holding it grows by at least 2 points): the time it can
 * run interpreted code.
 */
export function switchIntervalVerdict(rows: readonly SwitchIntervalRow[]): { holds: boolean; text: string } {
  if (rows.length < 2) return { holds: false, text: 'A sweep needs at least two intervals.' };
  const sorted = [...rows].sort((a, b) => a.switchIntervalMs - b.switchIntervalMs);
  const shortest = sorted[0]!;
  const longest = sorted[sorted.length - 1]!;
  const latencyRatio = longest.ioMeanUs / shortest.ioMeanUs;
  const cpuRatio = longest.cpuOpsPerSecond / shortest.cpuOpsPerSecond;
  const latencyGrows = latencyRatio >= 3;
  const cpuGains = longest.cpuShare - shortest.cpuShare >= 0.02;
  const holds = latencyGrows && cpuGains;
  const ms = (value: number) => formatNs(value * 1e6);
  const us = (value: number) => formatNs(value * 1000);
  let text =
    `From a ${ms(shortest.switchIntervalMs)} to a ${ms(longest.switchIntervalMs)} interval, the I/O thread's mean time per round trip went ` +
    `from ${us(shortest.ioMeanUs)} to ${us(longest.ioMeanUs)} (${times(latencyRatio)}; p99 ${us(shortest.ioP99Us)} → ${us(longest.ioP99Us)}), ` +
    `while the CPU thread's share of the lock went from ${formatPercent(shortest.cpuShare, 0)} to ${formatPercent(longest.cpuShare, 0)} ` +
    `(its work rate ${times(cpuRatio)}).`;
  // Checkpoint granularity, as context: the kernels check every slice, CPython every few bytecodes.
  const handoffs = sorted.filter((row) => row.handoffP50Us !== null).map((row) => row.handoffP50Us!);
  if (handoffs.length > 0) {
    const sliceUs = median(sorted.map((row) => row.sliceUs));
    text +=
      ` A drop request reached the new holder in ${us(median(handoffs))} at the median, with the CPU thread's kernel checking ` +
      `every ${us(sliceUs)} (its slice, which adds up to that — half on average — to each hand-off; CPython checks every few bytecodes).`;
  }
  if (!latencyGrows) text += ' The I/O latency did not grow with the interval as the claim says.';
  if (!cpuGains) text += ' The CPU thread gained no lock time from the longer interval.';
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

/** The spin kernel's slice on this machine, ns: its steps per slice at its calibrated speed. */
function spinSliceNs(): number {
  return native.kernels.sliceBudgets.spinIterations! / native.kernels.spinIterationsPerNs();
}

/** Milliseconds of I/O beside the CPU thread at each interval, per size (the CPython twin's too). */
export const SWITCH_INTERVAL_DURATION_MS = [40, 250, 1000, 3000] as const;

async function measureSwitchInterval(
  options: ExperimentOptions,
  step: Stepper,
): Promise<Measurement<SwitchIntervalRow>> {
  const intervalsMs = options.size === 'tiny' ? [0.5, 5] : [0.1, 0.5, 1, 2, 5, 10, 20];
  const durationMs = bySize(options.size, SWITCH_INTERVAL_DURATION_MS);
  step.plan(intervalsMs.length);
  const rows: SwitchIntervalRow[] = [];
  const traces: LockTrace[] = [];
  const policy = options.policy ?? 'cpython';
  await withMainLock({ policy }, async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, lock: 'shared' });
    try {
      await pool.start();
      const main = Interpreter.main();
      for (const intervalMs of intervalsMs) {
        step(`${formatNs(intervalMs * 1e6)} switch interval`);
        await configureWhenFree(main, { switchIntervalUs: Math.round(intervalMs * 1000) });
        main.resetStats();
        // Traced at CPython's default interval.
        const run = await ioBesideCpu(pool, 1, durationMs, options.trace && intervalMs === 5);
        const stats = main.stats();
        const cpu = run.cpu[0]!;
        const cpuHeldNs = stats.threads.find((t) => t.threadId === cpu.threadId)?.heldNs ?? 0;
        rows.push({
          switchIntervalMs: intervalMs,
          cpuOpsPerSecond: round(cpu.calls / cpu.seconds),
          cpuShare: round(cpuHeldNs / 1e9 / cpu.seconds),
          ioP50Us: round(percentile(run.latenciesUs, 50)),
          ioP99Us: round(percentile(run.latenciesUs, 99)),
          ioMeanUs: round((run.ioSeconds * 1e6) / run.latenciesUs.length),
          ioOpsPerSecond: round(run.latenciesUs.length / run.ioSeconds),
          switches: stats.switches,
          handoffP50Us: stats.handoff.count > 0 ? round(stats.handoff.p50Ns / 1000) : null,
          sliceUs: round(spinSliceNs() / 1000, 2),
        });
        if (run.events) {
          traces.push(
            lockTrace(`I/O thread beside a CPU thread, ${formatNs(intervalMs * 1e6)} interval`, run.events, [
              { threadId: run.ioThreadId, name: 'I/O thread' },
              { threadId: cpu.threadId, name: 'CPU thread' },
            ]),
          );
        }
      }
    } finally {
      await pool.shutdown();
    }
  });
  return {
    rows,
    verdict: switchIntervalVerdict(rows),
    ...(traces.length > 0 ? { traces } : {}),
    charts: [
      {
        title: 'I/O latency vs switch interval (one CPU-bound thread beside)',
        xLabel: 'switch interval (ms)',
        yLabel: 'I/O round trip (µs)',
        logX: true,
        logY: true,
        series: [
          { label: 'mean', points: rows.map((r) => ({ x: r.switchIntervalMs, y: r.ioMeanUs })) },
          { label: 'p50', points: rows.map((r) => ({ x: r.switchIntervalMs, y: r.ioP50Us })) },
          { label: 'p99', points: rows.map((r) => ({ x: r.switchIntervalMs, y: r.ioP99Us })) },
        ],
      },
      {
        title: "CPU thread's share of the lock vs switch interval",
        xLabel: 'switch interval (ms)',
        yLabel: 'share of wall time holding the lock',
        logX: true,
        yFormat: 'percent',
        series: [{ label: 'CPU thread', points: rows.map((r) => ({ x: r.switchIntervalMs, y: r.cpuShare })) }],
      },
    ],
  };
}

export const switchInterval = defineExperiment<SwitchIntervalRow>({
  name: 'switch-interval',
  question: 'What does the switch interval trade: CPU throughput against I/O latency?',
  claim:
    'A shorter switch interval lowers I/O latency beside CPU-bound threads but costs those threads lock time (throughput).',
  inCpython:
    'sys.setswitchinterval (3.2, with the new GIL; default 5 ms) replaced sys.setcheckinterval (removed in 3.9); ' +
    "3.13's free-threaded build (PEP 703) has no GIL for the interval to hand over.",
  narrative:
    "The convoy's I/O thread and one CPU-bound thread run under switch intervals from 0.1 ms to 20 ms " +
    "(CPython's default is 5 ms; sys.setswitchinterval changes it). The I/O thread waits for the interval on every operation; " +
    'the CPU thread loses the lock more often the shorter it is.',
  columns: SWITCH_INTERVAL_COLUMNS,
  traceable: true,
  takes: ['policy', 'size'],
  footnotes: [
    "drop → holder: the lock's own measure of a hand-off, from the waiter's drop request to it holding the lock (median). " +
      'The CPU thread can only let go at a checkpoint, between slices of its kernel (CPU slice); CPython checks its eval breaker every ' +
      'few bytecodes, well under a microsecond. The rest is the waiter waking up. A checkpoint costs ~3 ns, under 1% of a slice.',
  ],
  measure: measureSwitchInterval,
});
