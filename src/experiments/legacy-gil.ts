// legacy-gil: the pre-3.2 GIL against the new one. The same total work runs on one thread, then
// split over N threads; on a multicore machine the old lock makes N threads slower than one.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Interpreter, type LockStats } from '../interpreter.js';
import { ThreadPoolExecutor } from '../executors/index.js';
import { formatCount, formatSeconds, formatSpeedup, type TableColumn } from '../report/index.js';
import { lockTrace, task, TRACE_CAPACITY, withMainLock, workerLabels } from './harness.js';
import { plural, round, times } from './measure.js';
import { bySize, switchIntervalUs } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import type { CpuShareResult, CpuWorkSpec } from './tasks.js';
import type { ExperimentOptions, LockTrace, Measurement, Verdict } from './types.js';

export interface LegacyGilRow extends Record<string, string | number | boolean | null> {
  policy: 'cpython' | 'legacy';
  threads: number;
  seconds: number;
  /** seconds / the same policy's one-thread seconds: above 1 is a slowdown. */
  relative: number;
  /** Acquisitions by a different thread than the previous holder. */
  switches: number;
  /** Condition-variable wake-ups of waiting threads. */
  wakeups: number;
  dropRequests: number;
}

export const LEGACY_GIL_COLUMNS: TableColumn[] = [
  { key: 'policy' },
  { key: 'threads' },
  { key: 'seconds', format: (v) => formatSeconds(v as number) },
  { key: 'relative', header: 'vs 1 thread', format: (v) => formatSpeedup(v as number) },
  { key: 'switches', format: (v) => formatCount(v as number) },
  { key: 'wakeups', header: 'wake-ups', format: (v) => formatCount(v as number) },
  { key: 'dropRequests', header: 'drop requests', format: (v) => formatCount(v as number) },
];

/** The old lock "slows N threads down" when they take at least this much longer than one thread. */
export const LEGACY_SLOWDOWN = 1.1;

/**
 * The claim: on a multicore machine the old GIL makes N CPU-bound threads slower than one thread
 * doing the same work (Beazley, 2009), and the new GIL (3.2+) does not.
 */
export function legacyGilVerdict(rows: readonly LegacyGilRow[], context: { cpus: number }): Verdict {
  const many = (policy: LegacyGilRow['policy']) =>
    rows.filter((row) => row.policy === policy && row.threads > 1).sort((a, b) => b.threads - a.threads)[0];
  const legacy = many('legacy');
  const cpython = many('cpython');
  if (!legacy || !cpython) return { holds: false, text: 'The run lacks a multi-thread row for both policies.' };
  // Not testable on one CPU: the old lock's slowdown comes from threads on other cores fighting for it.
  if (context.cpus < 2) {
    return {
      holds: null,
      text: `The claim is about multicore machines; this one has ${context.cpus} CPU, where the old lock's threads cannot fight over cores.`,
    };
  }
  const holds = legacy.relative >= LEGACY_SLOWDOWN && legacy.relative > cpython.relative + 0.05;
  const text =
    `With ${legacy.threads} threads sharing the work of one, the legacy lock took ${times(legacy.relative)} as long as one thread ` +
    `(${formatCount(legacy.wakeups)} wake-ups, ${formatCount(legacy.switches)} switches) and the new lock ${times(cpython.relative)} ` +
    `(${formatCount(cpython.wakeups)} wake-ups, ${formatCount(cpython.switches)} switches).` +
    (holds ? '' : ` The old lock's slowdown stayed below ${times(LEGACY_SLOWDOWN)} or did not exceed the new lock's.`);
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

/**
 * The old GIL let go every 100 "ticks" (bytecodes: a few µs of Python). A kernel slice here is
 * ~10-30 µs, so releasing at every checkpoint (checkInterval 1) is the period that matches.
 */
export const LEGACY_CHECK_INTERVAL = 1;

async function measureLegacyGil(options: ExperimentOptions, step: Stepper): Promise<Measurement<LegacyGilRow>> {
  const n = Math.max(2, options.workers);
  const spec: CpuWorkSpec = {
    kernel: 'countPrimes',
    units: options.size === 'tiny' ? 24 : 480,
    unitSize: bySize(options.size, [200, 1200, 6000, 24_000]),
  };
  const policies = ['cpython', 'legacy'] as const;
  const repeats = bySize(options.size, [1, 3, 3, 3]);
  step.plan(policies.length * 2 * repeats);
  const rows: LegacyGilRow[] = [];
  const traces: LockTrace[] = [];
  for (const policy of policies) {
    const settings = {
      policy,
      switchIntervalUs: switchIntervalUs(options),
      ...(policy === 'legacy' ? { checkInterval: LEGACY_CHECK_INTERVAL } : {}),
    };
    await withMainLock(settings, async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: n, lock: 'shared' });
      try {
        await pool.start();
        await Promise.all(Array.from({ length: n }, () => pool.submit(task('warmUp'), spec, ['hold'])));
        // 1 and N threads alternate, and each keeps its fastest run: load from elsewhere on the
        // machine then lands on both alike and is mostly filtered out.
        const best = new Map<number, { seconds: number; stats: LockStats }>();
        for (let repeat = 0; repeat < repeats; repeat++) {
          for (const threads of [1, n]) {
            step(`${policy}, ${plural(threads, 'thread')}${repeats > 1 ? `, run ${repeat + 1}/${repeats}` : ''}`);
            const main = Interpreter.main();
            main.resetStats();
            const tracing = options.trace && threads > 1 && repeat === 0;
            if (tracing) main.startTrace({ capacity: TRACE_CAPACITY });
            const t0 = performance.now();
            let shares: CpuShareResult[];
            try {
              shares = await Promise.all(
                Array.from({ length: threads }, (_, w) =>
                  pool.submit<CpuShareResult>(task('cpuShare'), spec, w, threads, 'hold'),
                ),
              );
            } catch (error) {
              if (tracing) main.stopTrace();
              throw error;
            }
            const seconds = (performance.now() - t0) / 1000;
            if (tracing) {
              const events = main.stopTrace();
              traces.push(
                lockTrace(`${policy} lock, ${threads} threads`, events, workerLabels(shares.map((s) => s.threadId))),
              );
            }
            const stats = main.stats();
            const previous = best.get(threads);
            if (!previous || seconds < previous.seconds) best.set(threads, { seconds, stats });
          }
        }
        const oneThread = best.get(1)!.seconds;
        for (const threads of [1, n]) {
          const { seconds, stats } = best.get(threads)!;
          rows.push({
            policy,
            threads,
            seconds: round(seconds),
            relative: round(seconds / oneThread),
            switches: stats.switches,
            wakeups: stats.wakeups,
            dropRequests: stats.dropRequests,
          });
        }
      } finally {
        await pool.shutdown();
      }
    });
  }
  return {
    rows,
    verdict: legacyGilVerdict(rows, { cpus: os.availableParallelism() }),
    ...(traces.length > 0 ? { traces } : {}),
    charts: [
      {
        title: 'Time for the same work on 1 and N threads, relative to 1 thread',
        xLabel: 'threads',
        yLabel: 'time relative to 1 thread (×)',
        series: policies.map((policy) => ({
          label: `${policy} lock`,
          points: rows.filter((row) => row.policy === policy).map((row) => ({ x: row.threads, y: row.relative })),
        })),
      },
    ],
  };
}

export const legacyGil = defineExperiment<LegacyGilRow>({
  name: 'legacy-gil',
  question: 'Did the old GIL make CPU-bound threads slower than one thread on a multicore machine?',
  claim: 'On many cores the old (pre-3.2) GIL makes N CPU-bound threads slower than one; the new GIL does not.',
  inCpython:
    'Python 2 and 3.0–3.1 released and re-took the GIL every 100 ticks (sys.setcheckinterval); 3.2 replaced it with the new GIL ' +
    '(a 5 ms switch interval and forced switching), so no Python 3 a twin could run has the old one.',
  narrative:
    'The same work runs on one thread and then split over N threads, under the new lock (cpython: waiters ask the holder to drop it) ' +
    'and the old one (legacy: the holder lets go every check interval and at once competes to take it back). ' +
    'Watch the wake-ups: under the old lock waiting threads wake on another core, lose the race, and go back to sleep.',
  columns: LEGACY_GIL_COLUMNS,
  traceable: true,
  takes: ['workers', 'switchIntervalMs', 'size'],
  measure: measureLegacyGil,
});
