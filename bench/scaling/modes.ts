// The five ways of running the same kernel on n workers, each a real executor:
//   threads-hold     ThreadPoolExecutor, lock 'shared' (the GIL), kernel mode 'hold' — interpreted code
//   threads-release  ThreadPoolExecutor, lock 'shared', kernel mode 'release' — numpy-style native code
//   processes        ProcessPoolExecutor: one interpreter (and lock) per process, mode 'hold'
//   subinterpreters  ThreadPoolExecutor, lock 'isolated': one interpreter per worker (PEP 684), mode 'hold'
//   free-threaded    ThreadPoolExecutor, lock 'free': policy 'none' (PEP 703), mode 'hold'
//
// Every task goes through tasks.ts's timed(), which reports its timing (./timing.ts); with --pin
// each pool gets a fresh directory in which its workers claim their CPU slots.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcessPoolExecutor, ThreadPoolExecutor, type Executor, type KernelMode, type LockModel } from 'gil-lab';
import { scheduling } from './scheduling-native.js';
import type { PoolOptions, SweepMode, SweepPool, TaskCall } from './sweep.js';
import type { RawTaskTiming } from './timing.js';

export const SCALING_MODE_NAMES = [
  'threads-hold',
  'threads-release',
  'processes',
  'subinterpreters',
  'free-threaded',
] as const;
export type ScalingModeName = (typeof SCALING_MODE_NAMES)[number];

const TASK_MODULE = new URL('./tasks.js', import.meta.url);

/**
 * A started executor as a sweep pool: every call goes through timed() with the mode's kernel mode
 * as its last argument; the dispatch time is taken on the workers' clock just before submitting.
 */
async function poolOf(
  executor: Executor & { start(): Promise<void> },
  kernelMode: KernelMode,
  options: PoolOptions,
): Promise<SweepPool> {
  const pinDir = options.pin ? mkdtempSync(path.join(os.tmpdir(), 'gil-lab-pin-')) : null;
  const removePinDir = () => {
    if (pinDir !== null) rmSync(pinDir, { recursive: true, force: true });
  };
  try {
    await executor.start();
  } catch (error) {
    await executor.shutdown({ wait: false, cancelFutures: true });
    removePinDir();
    throw error;
  }
  return {
    async run(tasks: readonly TaskCall[]) {
      const dispatchNs = scheduling.monotonicClockNs();
      const outcomes = (await Promise.all(
        tasks.map((t) => executor.submit({ module: TASK_MODULE, export: 'timed' }, t.task, t.args, pinDir, kernelMode)),
      )) as { value: unknown; timing: RawTaskTiming }[];
      return { results: outcomes.map((o) => o.value), timing: { dispatchNs, tasks: outcomes.map((o) => o.timing) } };
    },
    async close() {
      try {
        await executor.shutdown({ wait: true });
      } finally {
        removePinDir();
      }
    },
  };
}

function threadMode(name: ScalingModeName, lock: LockModel, kernelMode: KernelMode, description: string): SweepMode {
  return {
    name,
    description,
    transport: 'thread',
    lockShared: lock === 'shared' && kernelMode === 'hold',
    startPool: (workers, options) => poolOf(new ThreadPoolExecutor({ maxWorkers: workers, lock }), kernelMode, options),
  };
}

export function scalingModes(): SweepMode[] {
  return [
    threadMode(
      'threads-hold',
      'shared',
      'hold',
      "worker threads under one lock (the GIL), kernel in mode 'hold' (interpreted code)",
    ),
    threadMode(
      'threads-release',
      'shared',
      'release',
      "worker threads under one lock, kernel in mode 'release' (native code that lets go, as numpy)",
    ),
    {
      name: 'processes',
      description:
        "child processes, one interpreter and lock each, kernel in mode 'hold'; arrays in a SharedMemory segment",
      transport: 'process',
      startPool: (workers, options) => poolOf(new ProcessPoolExecutor({ maxWorkers: workers }), 'hold', options),
    },
    threadMode(
      'subinterpreters',
      'isolated',
      'hold',
      "worker threads with one interpreter and lock each (PEP 684), kernel in mode 'hold'",
    ),
    threadMode(
      'free-threaded',
      'free',
      'hold',
      "worker threads with no lock (policy 'none', PEP 703), kernel in mode 'hold'",
    ),
  ];
}

/** The modes named (all when none are), in the canonical order; a RangeError names the valid ones. */
export function selectModes(names: readonly string[] = []): SweepMode[] {
  const all = scalingModes();
  for (const name of names) {
    if (!all.some((m) => m.name === name)) {
      throw new RangeError(`unknown scaling mode '${name}'; valid modes: ${SCALING_MODE_NAMES.join(', ')}`);
    }
  }
  return names.length === 0 ? all : all.filter((m) => names.includes(m.name));
}
