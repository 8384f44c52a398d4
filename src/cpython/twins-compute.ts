// The twins of the experiments about computing and waiting: cpu-bound, memory-bound, io-bound,
// convoy and switch-interval. Each says what sizes its twin runs with (the model's own) and which
// model figure stands next to which CPython figure, within what tolerance.
import { CONVOY_DURATION_MS, CONVOY_MESSAGE_BYTES, type ConvoyRow } from '../experiments/convoy.js';
import { workSpec, type CpuBoundRow, type CpuMode } from '../experiments/cpu-bound.js';
import { IO_LATENCY_NS, IO_WORK_NS, type IoBoundRow } from '../experiments/io-bound.js';
import { memorySizes, type MemoryBoundRow } from '../experiments/memory-bound.js';
import { bySize, switchIntervalUs } from '../experiments/options.js';
import { SWITCH_INTERVAL_DURATION_MS, type SwitchIntervalRow } from '../experiments/switch-interval.js';
import { compareFigures, type ComparisonRow, type Tolerance } from './compare.js';
import type { TwinSpec } from './twin-spec.js';

/** Speedups near 1× (one lock): within ±0.15 of CPython's. */
export const LOCKED_SPEEDUP: Tolerance = { kind: 'difference', within: 0.15 };
/** Parallel speedups: within ±0.15 per worker (the same efficiency give or take 15 points). */
export function parallelSpeedup(workers: number): Tolerance {
  return { kind: 'difference', within: Math.round(0.15 * workers * 100) / 100 };
}
/** Latencies and rates: within 2× either way. */
export const LATENCY: Tolerance = { kind: 'factor', within: 2 };
/** Shares of wall time (the CPU thread's hold on the lock): within ±0.15. */
export const SHARE: Tolerance = { kind: 'difference', within: 0.15 };

type TwinRow = Record<string, string | number | boolean | null>;
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
function twinRow(rows: readonly TwinRow[], match: Record<string, string | number>): TwinRow | undefined {
  return rows.find((row) => Object.entries(match).every(([key, value]) => row[key] === value));
}

// --- cpu-bound ------------------------------------------------------------------------------------

/**
 * Interpreted trial division is about 30× slower than the native kernel, so the twin runs the
 * first units of the model's job (the same numbers, unit for unit), fewer of them: a speedup is a
 * ratio of two runs of the same job and does not depend on the job's length once it dwarfs start-up.
 */
const CPU_TWIN_UNITS = [24, 64, 96, 160] as const;
const CPU_TWIN_REPEATS = [1, 2, 2, 3] as const;

export const cpuBoundTwin: TwinSpec = {
  params(options) {
    const spec = workSpec('countPrimes', options.size);
    return {
      start: 10_000_000,
      unitSize: spec.unitSize,
      units: Math.min(spec.units, bySize(options.size, CPU_TWIN_UNITS)),
      workers: options.workers,
      repeats: bySize(options.size, CPU_TWIN_REPEATS),
      matmulSize: 192,
      matmulUnits: 4 * options.workers,
    };
  },
  compare(result, twin, context) {
    const rows = result.rows as CpuBoundRow[];
    const n = result.options.workers;
    const model = (mode: CpuMode, workers = n) => rows.find((row) => row.mode === mode && row.workers === workers);
    const py = (mode: string, workers = n) => twinRow(twin.rows, { mode, workers });
    // A free-threaded CPython runs its threads with no lock: the model's free-threaded mode.
    const threadsMode: CpuMode = context.freeThreaded ? 'free-threaded' : 'threads-hold';
    const out: ComparisonRow[] = [
      compareFigures({
        row: `threads speedup, ${n} workers (model ${threadsMode})`,
        unit: '×',
        model: model(threadsMode)?.speedup,
        cpython: num(py('threads')?.speedup),
        tolerance: context.freeThreaded ? parallelSpeedup(n) : LOCKED_SPEEDUP,
      }),
      compareFigures({
        row: `processes speedup, ${n} workers`,
        unit: '×',
        model: model('processes')?.speedup,
        cpython: num(py('processes')?.speedup),
        tolerance: parallelSpeedup(n),
      }),
    ];
    if (py('numpy-threads')) {
      out.push(
        compareFigures({
          row: `native code that releases the lock, ${n} workers (model threads-release, CPython numpy a @ b)`,
          unit: '×',
          model: model('threads-release')?.speedup,
          cpython: num(py('numpy-threads')?.speedup),
          tolerance: parallelSpeedup(n),
        }),
      );
    }
    const serial = model('serial', 1);
    const twinSerial = py('serial', 1);
    const spec = workSpec(result.options.kernel, result.options.size);
    const twinUnits = num(cpuBoundTwin.params(result.options, result).units);
    if (serial && twinSerial && result.options.kernel === 'countPrimes' && twinUnits !== undefined) {
      out.push(
        compareFigures({
          row: 'serial seconds per unit of countPrimes (native kernel vs interpreted Python)',
          unit: 's',
          model: serial.seconds / spec.units,
          cpython: (num(twinSerial.seconds) ?? NaN) / twinUnits,
          tolerance: { kind: 'context' },
          note: 'the model runs the kernel in C++; CPython interprets the same loop',
        }),
      );
    }
    return out;
  },
};

// --- memory-bound ---------------------------------------------------------------------------------

export const memoryBoundTwin: TwinSpec = {
  params(options) {
    return {
      ...memorySizes(options.size),
      workers: options.workers,
      repeats: bySize(options.size, [1, 2, 2, 3]),
      matmulSize: 128,
      matmulUnits: 8 * options.workers,
    };
  },
  compare(result, twin) {
    const rows = result.rows as MemoryBoundRow[];
    const out: ComparisonRow[] = [];
    const workers = [...new Set(rows.map((row) => row.workers))].filter((w) => w > 1);
    for (const w of workers) {
      for (const [kernel, twinKernel] of [
        ['sum', 'sum'],
        ['triad', 'triad'],
        ['countPrimes', 'matmul'],
      ] as const) {
        out.push(
          compareFigures({
            row:
              kernel === 'countPrimes'
                ? `compute-bound control speedup, ${w} workers (model countPrimes, CPython numpy a @ b)`
                : `${kernel} speedup, ${w} workers`,
            unit: '×',
            model: rows.find((row) => row.kernel === kernel && row.workers === w)?.speedup,
            cpython: num(twinRow(twin.rows, { kernel: twinKernel, workers: w })?.speedup),
            tolerance: parallelSpeedup(w),
          }),
        );
      }
    }
    out.push(
      compareFigures({
        row: 'sum bandwidth, 1 worker',
        unit: 'GB/s',
        model: rows.find((row) => row.kernel === 'sum' && row.workers === 1)?.gbPerSecond,
        cpython: num(twinRow(twin.rows, { kernel: 'sum', workers: 1 })?.gbPerSecond),
        tolerance: LATENCY,
      }),
    );
    return out;
  },
};

// --- io-bound -------------------------------------------------------------------------------------

export const ioBoundTwin: TwinSpec = {
  params(options, result) {
    const rows = result.rows as IoBoundRow[];
    return {
      total: rows[0]?.operations,
      workers: options.workers,
      latencyNs: IO_LATENCY_NS,
      workNs: IO_WORK_NS,
    };
  },
  compare(result, twin) {
    const rows = result.rows as IoBoundRow[];
    const n = result.options.workers;
    const model = (mode: string) => rows.find((row) => row.mode === mode);
    const threads = model('threads');
    return [
      compareFigures({
        row: 'serial operations per second',
        unit: 'ops/s',
        model: model('serial')?.opsPerSecond,
        cpython: num(twinRow(twin.rows, { mode: 'serial' })?.opsPerSecond),
        tolerance: LATENCY,
      }),
      compareFigures({
        row: `threads speedup, ${n} threads releasing the lock`,
        unit: '×',
        model: threads?.speedup,
        cpython: num(twinRow(twin.rows, { mode: 'threads' })?.speedup),
        tolerance: parallelSpeedup(n),
      }),
      compareFigures({
        row: `threads that block holding the lock, ${n} threads`,
        unit: '×',
        model: model('threads-holding')?.speedup,
        cpython: null,
        tolerance: { kind: 'context' },
        note: 'no standard-library call blocks while holding the GIL (a C extension without Py_BEGIN_ALLOW_THREADS does)',
      }),
      compareFigures({
        row: `asyncio, ${n} tasks on one event loop (against the model's threads)`,
        unit: '×',
        model: threads?.speedup,
        cpython: num(twinRow(twin.rows, { mode: 'asyncio' })?.speedup),
        tolerance: { kind: 'context' },
        note: 'the event loop overlaps the waits on one thread, as threads do',
      }),
    ];
  },
};

// --- convoy ---------------------------------------------------------------------------------------

export const convoyTwin: TwinSpec = {
  params(options) {
    return {
      durationMs: bySize(options.size, CONVOY_DURATION_MS),
      cpuCounts: [0, 1, 2, 4],
      messageBytes: CONVOY_MESSAGE_BYTES,
      switchIntervalUs: switchIntervalUs(options),
    };
  },
  compare(result, twin, context) {
    const rows = result.rows as ConvoyRow[];
    // A free-threaded CPython has no lock for the I/O thread to wait for: the model's policy none.
    const policy = context.freeThreaded ? 'none' : 'cpython';
    const out: ComparisonRow[] = [];
    for (const cpuThreads of [0, 1, 2, 4]) {
      const model = rows.find((row) => row.policy === policy && row.cpuThreads === cpuThreads);
      const py = twinRow(twin.rows, { cpuThreads });
      const beside = cpuThreads === 0 ? 'alone' : `beside ${cpuThreads} CPU thread${cpuThreads === 1 ? '' : 's'}`;
      out.push(
        compareFigures({
          row: `I/O p50 ${beside} (${policy})`,
          unit: 'µs',
          model: model?.p50Us,
          cpython: num(py?.p50Us),
          tolerance: LATENCY,
        }),
        compareFigures({
          row: `I/O round trips/s ${beside} (${policy})`,
          unit: 'ops/s',
          model: model?.opsPerSecond,
          cpython: num(py?.opsPerSecond),
          tolerance: LATENCY,
        }),
      );
    }
    return out;
  },
};

// --- switch-interval ------------------------------------------------------------------------------

export const switchIntervalTwin: TwinSpec = {
  params(options, result) {
    const rows = result.rows as SwitchIntervalRow[];
    return {
      intervalsMs: rows.map((row) => row.switchIntervalMs),
      durationMs: bySize(options.size, SWITCH_INTERVAL_DURATION_MS),
      cpuCallNs: 500_000,
      messageBytes: CONVOY_MESSAGE_BYTES,
    };
  },
  compare(result, twin) {
    const rows = result.rows as SwitchIntervalRow[];
    return rows.flatMap((row) => {
      const py = twinRow(twin.rows, { switchIntervalMs: row.switchIntervalMs });
      const at = `${row.switchIntervalMs} ms interval`;
      return [
        compareFigures({
          row: `I/O mean round trip, ${at}`,
          unit: 'µs',
          model: row.ioMeanUs,
          cpython: num(py?.ioMeanUs),
          tolerance: LATENCY,
        }),
        compareFigures({
          row: `CPU thread's share of the lock, ${at}`,
          unit: 'share',
          model: row.cpuShare,
          cpython: num(py?.cpuShare),
          tolerance: SHARE,
        }),
      ];
    });
  },
};
