// The twins of the experiments about workers' costs: startup, ipc and kill. Rows that exist only in
// Node (a copy to a thread, terminating a thread, Future.abort()) are shown labelled "Node", with
// what Python does instead, and never judged.
import { IPC_NODE_ONLY, ipcSamples, type IpcMethod, type IpcRow } from '../experiments/ipc.js';
import { KILL_NODE_ONLY, killSizes, type KillMethod, type KillRow } from '../experiments/kill.js';
import { startupSamples, type StartupRow } from '../experiments/startup.js';
import { compareFigures, type ComparisonRow, type Tolerance } from './compare.js';
import { LATENCY } from './twins-compute.js';
import type { TwinSpec } from './twin-spec.js';

type TwinRow = Record<string, string | number | boolean | null>;
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const word = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const CONTEXT: Tolerance = { kind: 'context' };

// --- startup --------------------------------------------------------------------------------------

/** A thread's start: within 10× of CPython's (it is sub-millisecond, so a factor says more than a difference). */
export const THREAD_START: Tolerance = { kind: 'factor', within: 10 };

export const startupTwin: TwinSpec = {
  params(options) {
    return { samples: startupSamples(options.size) };
  },
  compare(result, twin) {
    const rows = result.rows as StartupRow[];
    const kinds = (kind: string) => rows.find((row) => (row.kind as string) === kind);
    const py = (kind: string) => twin.rows.find((row: TwinRow) => row.kind === kind);
    // The model's closest thing to CPython's thread: an OS thread where it has one, else its worker thread.
    const thread = kinds('os-thread') ?? kinds('thread');
    const threadIsNode = thread !== undefined && (thread.kind as string) !== 'os-thread';
    const out: ComparisonRow[] = [
      compareFigures({
        row: `thread start to first result (model ${thread?.kind ?? 'thread'}, CPython threading.Thread)`,
        unit: 'ms',
        model: thread?.startupMs,
        cpython: num(py('thread')?.startupMs),
        tolerance: THREAD_START,
        ...(threadIsNode ? { note: "the model's thread is a Node worker (a whole JavaScript engine)" } : {}),
      }),
      compareFigures({
        row: 'process start to first result (model child process, CPython spawn)',
        unit: 'ms',
        model: kinds('process')?.startupMs,
        cpython: num(py('process spawn')?.startupMs),
        tolerance: LATENCY,
      }),
    ];
    for (const method of ['fork', 'forkserver']) {
      const row = py(`process ${method}`);
      if (!row) continue;
      out.push(
        compareFigures({
          row: `process start, ${method} start method (against the model's child process)`,
          unit: 'ms',
          model: kinds('process')?.startupMs,
          cpython: num(row.startupMs),
          tolerance: CONTEXT,
          note: method === 'forkserver' ? 'the Linux default from Python 3.14' : 'the Linux default up to 3.13',
        }),
      );
    }
    out.push(
      compareFigures({
        row: 'memory per process (model child process, CPython spawn)',
        unit: 'MB',
        model: kinds('process')?.rssBytes,
        cpython: num(py('process spawn')?.rssBytes),
        tolerance: CONTEXT,
        note: 'a Node process carries a JavaScript engine; a Python process an interpreter',
      }),
    );
    return out;
  },
};

// --- ipc ------------------------------------------------------------------------------------------

/** Hand-off times: within 2×, or within 0.2 ms (a thread or process hop at small sizes is noise-level). */
export const HANDOFF: Tolerance = { kind: 'factor', within: 2, floor: 0.0002 };

/** The model's methods with a Python twin, and the twin's method. */
const IPC_PAIRS: readonly [IpcMethod, string][] = [
  ['thread SharedArrayBuffer', 'thread (shared object)'],
  ['process advanced', 'process pickle (ProcessPoolExecutor)'],
  ['process SharedMemory', 'process shared_memory'],
];

export const ipcTwin: TwinSpec = {
  params(options, result) {
    const sizes = [...new Set((result.rows as IpcRow[]).map((row) => row.payloadBytes))];
    return { sizes, samples: sizes.map((bytes) => ipcSamples(options.size, bytes)) };
  },
  compare(result, twin) {
    const rows = result.rows as IpcRow[];
    const sizes = [...new Set(rows.map((row) => row.payloadBytes))].sort((a, b) => a - b);
    const largest = sizes[sizes.length - 1];
    const model = (method: IpcMethod, bytes: number) =>
      rows.find((row) => row.method === method && row.payloadBytes === bytes);
    const py = (method: string, bytes: number) =>
      twin.rows.find((row: TwinRow) => row.method === method && row.payloadBytes === bytes);
    const kib = (bytes: number) => (bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 1024} KiB`);
    const out: ComparisonRow[] = [];
    for (const bytes of sizes) {
      for (const [method, twinMethod] of IPC_PAIRS) {
        out.push(
          compareFigures({
            row: `${method} / ${twinMethod}, ${kib(bytes)}`,
            unit: 's',
            model: model(method, bytes)?.seconds,
            cpython: num(py(twinMethod, bytes)?.seconds),
            tolerance: HANDOFF,
          }),
        );
      }
    }
    if (largest !== undefined) {
      for (const [method, fact] of Object.entries(IPC_NODE_ONLY) as [IpcMethod, string][]) {
        // What a Python program does instead: a thread gets the object itself; a process a pickle.
        const instead = method.startsWith('thread') ? 'thread (shared object)' : 'process pickle (Pipe)';
        out.push(
          compareFigures({
            row: `${method}, ${kib(largest)} (against CPython's ${instead})`,
            unit: 's',
            model: model(method, largest)?.seconds,
            cpython: num(py(instead, largest)?.seconds),
            tolerance: CONTEXT,
            label: 'Node',
            note: fact,
          }),
        );
      }
    }
    return out;
  },
};

// --- kill -----------------------------------------------------------------------------------------

/** Stop times: within 2×, or within 2 ms (a process's exit is scheduled, a thread's join is noise-level). */
export const STOP: Tolerance = { kind: 'factor', within: 2, floor: 2 };

export const killTwin: TwinSpec = {
  params(options) {
    return killSizes(options.size);
  },
  compare(result, twin) {
    const rows = result.rows as KillRow[];
    const model = (method: KillMethod) => rows.find((row) => row.method === method);
    const py = (method: string) => twin.rows.find((row: TwinRow) => row.method === method);
    const out: ComparisonRow[] = [];
    const pairs: [KillMethod, string, string][] = [
      ['SIGKILL', 'Process.kill()', 'killing a process'],
      ['AbortSignal', 'threading.Event', 'a thread whose code checks a flag'],
    ];
    for (const [method, twinMethod, what] of pairs) {
      out.push(
        compareFigures({
          row: `${what}: time to stop (model ${method}, CPython ${twinMethod})`,
          unit: 'ms',
          model: model(method)?.stopMs,
          cpython: num(py(twinMethod)?.stopMs),
          tolerance: STOP,
        }),
        compareFigures({
          row: `${what}: outcome`,
          unit: '',
          model: model(method)?.outcome,
          cpython: word(py(twinMethod)?.outcome),
          tolerance: { kind: 'equal' },
        }),
      );
    }
    out.push(
      compareFigures({
        row: 'a thread whose code never checks: outcome (model worker.terminate())',
        unit: '',
        model: model('worker.terminate()')?.outcome,
        cpython: word(py('no way to stop it')?.outcome),
        tolerance: { kind: 'equal' },
        label: 'Node',
        note: KILL_NODE_ONLY['worker.terminate()']!,
      }),
      compareFigures({
        row: 'Future.abort(): time to stop',
        unit: 'ms',
        model: model('Future.abort()')?.stopMs,
        cpython: null,
        tolerance: CONTEXT,
        label: 'Node',
        note: KILL_NODE_ONLY['Future.abort()']!,
      }),
    );
    return out;
  },
};
