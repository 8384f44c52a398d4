// ipc: moving data to a worker. A thread can share memory (SharedArrayBuffer); a copy
// (postMessage) or a trip through a pipe (process IPC) costs time in proportion to the bytes, and
// shared memory between processes (SharedMemory) avoids it again.
import { performance } from 'node:perf_hooks';
import { ProcessPoolExecutor, ThreadPoolExecutor, transfer } from '../executors/index.js';
import { SharedMemory } from '../shared-memory.js';
import { formatBytes, formatBytesPerSecond, formatGBps, formatSeconds, type TableColumn } from '../report/index.js';
import { task } from './harness.js';
import { median, round, times } from './measure.js';
import { bySize } from './options.js';
import type { Stepper } from './steps.js';
import { defineExperiment } from './define.js';
import { sumBytes } from './tasks.js';
import type { ExperimentOptions, Measurement, Size } from './types.js';

export const IPC_METHODS = [
  'thread copy',
  'thread transfer',
  'thread SharedArrayBuffer',
  'process json',
  'process advanced',
  'process SharedMemory',
] as const;
export type IpcMethod = (typeof IPC_METHODS)[number];
/** Methods where the worker reads the caller's bytes without a copy. */
export const SHARING_METHODS: readonly IpcMethod[] = ['thread SharedArrayBuffer', 'process SharedMemory'];
export const COPYING_METHODS: readonly IpcMethod[] = ['thread copy', 'process json', 'process advanced'];

export interface IpcRow extends Record<string, string | number | boolean | null> {
  method: IpcMethod;
  payloadBytes: number;
  /** Median seconds from sending the payload to the worker's answer (it touches every cache line). */
  seconds: number;
  gbPerSecond: number;
}

/** Methods that exist only in Node, and what a Python program does instead. */
export const IPC_NODE_ONLY: Partial<Record<IpcMethod, string>> = {
  'thread copy': 'a Python thread shares the object: no copy',
  'thread transfer': 'nothing to transfer: Python threads share objects',
  'process json': 'multiprocessing pickles',
};
/** The Python analogue of each method, shown next to it. */
export const IPC_IN_PYTHON: Record<IpcMethod, string> = {
  'thread copy': 'Node only',
  'thread transfer': 'Node only',
  'thread SharedArrayBuffer': 'threads share objects, no copy',
  'process json': 'Node only',
  'process advanced': 'pickled through a pipe',
  'process SharedMemory': 'multiprocessing.shared_memory',
};

/** "thread copy (Node)": Node-only methods are labelled in tables and text. */
export function ipcMethodLabel(method: IpcMethod): string {
  return method in IPC_NODE_ONLY ? `${method} (Node)` : method;
}

export const IPC_COLUMNS: TableColumn[] = [
  { key: 'method', format: (v) => ipcMethodLabel(v as IpcMethod) },
  {
    key: 'method',
    header: 'in Python',
    format: (v) => IPC_NODE_ONLY[v as IpcMethod] ?? IPC_IN_PYTHON[v as IpcMethod] ?? '',
  },
  { key: 'payloadBytes', header: 'payload', format: (v) => formatBytes(v as number) },
  { key: 'seconds', format: (v) => formatSeconds(v as number) },
  { key: 'gbPerSecond', header: 'throughput', format: (v) => formatBytesPerSecond((v as number) * 1e9) },
];

/**
 * The claim: at a large payload, sharing memory (SharedArrayBuffer with a thread, SharedMemory with
 * a process) is much faster (at least 3×) than sending a copy to a process.
 */
export function ipcVerdict(rows: readonly IpcRow[]): { holds: boolean; text: string } {
  const largest = (method: IpcMethod) =>
    rows.filter((row) => row.method === method).sort((a, b) => b.payloadBytes - a.payloadBytes)[0];
  const advanced = largest('process advanced');
  const shm = largest('process SharedMemory');
  const sab = largest('thread SharedArrayBuffer');
  const copy = largest('thread copy');
  if (!advanced || !shm || !sab) {
    return {
      holds: false,
      text: 'The run lacks process advanced, process SharedMemory or thread SharedArrayBuffer rows.',
    };
  }
  const at = (method: IpcMethod, bytes: number) =>
    rows.find((row) => row.method === method && row.payloadBytes === bytes);
  const bytes = Math.min(advanced.payloadBytes, shm.payloadBytes, sab.payloadBytes);
  const adv = at('process advanced', bytes)!;
  const shared = at('process SharedMemory', bytes)!;
  const sabRow = at('thread SharedArrayBuffer', bytes)!;
  const copyRow = copy ? at('thread copy', bytes) : undefined;
  const shmGain = adv.seconds / shared.seconds;
  const sabGain = adv.seconds / sabRow.seconds;
  const holds = shmGain >= 3 && sabGain >= 3;
  let text =
    `At ${formatBytes(bytes)}, sending a copy to a process took ${formatSeconds(adv.seconds)} (${formatGBps(adv.gbPerSecond * 1e9)}), ` +
    `SharedMemory ${formatSeconds(shared.seconds)} (${times(shmGain)} faster) and a thread's SharedArrayBuffer ${formatSeconds(sabRow.seconds)} (${times(sabGain)})`;
  text += copyRow
    ? `; a copy to a thread (Node; ${IPC_NODE_ONLY['thread copy']}) took ${formatSeconds(copyRow.seconds)}.`
    : '.';
  if (!holds) text += ' Sharing was not clearly faster than copying at this size.';
  return { holds, text };
}

// --- the run --------------------------------------------------------------------------------------

const KiB = 1024;
const MiB = 1024 * KiB;

/** Printable ASCII, so that the json method can carry the same bytes as a string of equal length. */
function payloadBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = 0x20 + ((i * 31) % 95);
  return bytes;
}

/** The payload sizes sent, per size (the CPython twin sends the same). */
export function ipcSizes(size: Size): readonly number[] {
  return bySize(size, [
    [KiB, 64 * KiB],
    [KiB, 32 * KiB, MiB, 16 * MiB, 64 * MiB],
    [KiB, 16 * KiB, 256 * KiB, 4 * MiB, 16 * MiB, 64 * MiB],
    [KiB, 16 * KiB, 256 * KiB, 4 * MiB, 16 * MiB, 64 * MiB],
  ]);
}

/** Samples per method at a payload of `bytes` (fewer of the large ones). */
export function ipcSamples(size: Size, bytes: number): number {
  return bytes >= 16 * MiB ? bySize(size, [1, 1, 3, 5]) : bySize(size, [1, 3, 5, 9]);
}

async function measureIpc(options: ExperimentOptions, step: Stepper): Promise<Measurement<IpcRow>> {
  const sizes = ipcSizes(options.size);
  const samplesFor = (bytes: number) => ipcSamples(options.size, bytes);
  step.plan(sizes.length * IPC_METHODS.length);
  const threads = new ThreadPoolExecutor({ maxWorkers: 1 });
  const advanced = new ProcessPoolExecutor({ maxWorkers: 1, serialization: 'advanced' });
  const json = new ProcessPoolExecutor({ maxWorkers: 1, serialization: 'json' });
  const rows: IpcRow[] = [];
  try {
    // Warm: workers started, the task module loaded and its functions compiled.
    const small = payloadBytes(KiB);
    await Promise.all([threads.start(), advanced.start(), json.start()]);
    await threads.submit(task('readBytes'), small);
    await advanced.submit(task('readBytes'), small);
    await json.submit(task('readString'), Buffer.from(small).toString('latin1'));

    for (const bytes of sizes) {
      const data = payloadBytes(bytes);
      const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
      const sab = new Uint8Array(new SharedArrayBuffer(bytes));
      sab.set(data);
      const segment = SharedMemory.create(bytes);
      try {
        segment.view(Uint8Array).set(data);
        const expected = sumBytes(data);
        for (const method of IPC_METHODS) {
          step(`${method}, ${formatBytes(bytes)}`);
          const samples: number[] = [];
          for (let s = 0; s < samplesFor(bytes); s++) {
            // What each method sends; made before the clock starts (a transfer needs a fresh buffer).
            const send = (): Promise<number> => {
              switch (method) {
                case 'thread copy':
                  return threads.submit<number>(task('readBytes'), data);
                case 'thread transfer':
                  return threads.submit<number>(task('readBytes'), transfer(fresh));
                case 'thread SharedArrayBuffer':
                  return threads.submit<number>(task('readBytes'), sab);
                case 'process json':
                  return json.submit<number>(task('readString'), text);
                case 'process advanced':
                  return advanced.submit<number>(task('readBytes'), data);
                case 'process SharedMemory':
                  return advanced.submit<number>(task('readSharedMemory'), segment.name, bytes);
              }
            };
            const fresh = method === 'thread transfer' ? data.slice() : data;
            const t0 = performance.now();
            const sum = await send();
            samples.push((performance.now() - t0) / 1000);
            if (sum !== expected)
              throw new Error(`ipc: ${method} delivered different bytes (sum ${sum}, expected ${expected})`);
          }
          const seconds = median(samples);
          rows.push({
            method,
            payloadBytes: bytes,
            seconds: round(seconds),
            gbPerSecond: round(bytes / seconds / 1e9),
          });
        }
      } finally {
        segment.close();
        segment.unlink();
      }
    }
  } finally {
    await Promise.allSettled([threads.shutdown(), advanced.shutdown(), json.shutdown()]);
  }
  return {
    rows,
    verdict: ipcVerdict(rows),
    charts: [
      {
        kind: 'bar',
        categories: IPC_METHODS.map(ipcMethodLabel),
        title: 'Throughput of handing a payload to a worker, per method',
        xLabel: '',
        yLabel: 'GB/s (log scale)',
        logY: true,
        series: sizes.map((bytes) => ({
          label: formatBytes(bytes),
          points: rows
            .filter((r) => r.payloadBytes === bytes)
            .map((r) => ({ x: IPC_METHODS.indexOf(r.method), y: r.gbPerSecond })),
        })),
        caption:
          'One bar per payload size. The worker reads every cache line of what it gets, so sharing methods are timed doing the same work as copying ones.',
      },
    ],
  };
}

export const ipc = defineExperiment<IpcRow>({
  name: 'ipc',
  question: 'What does it cost to move data to a thread, and to a process?',
  claim:
    'Moving data to a process costs a copy; threads share objects without copying (and processes can share memory, through shared memory).',
  inCpython:
    'multiprocessing pickles what it sends in every Python 3 (out-of-band buffers: PEP 574, 3.8); multiprocessing.shared_memory arrived in 3.8; ' +
    "threads share objects; 3.14's subinterpreters (PEP 734) share only what their queues can carry.",
  narrative:
    'A payload from 1 KiB up is handed to a worker that touches every cache line of it: to a thread as a structured-clone copy, as a transfer, ' +
    'and as a SharedArrayBuffer; to a process through IPC (json, and V8 "advanced" serialization) and as a SharedMemory segment ' +
    'it attaches by name. Seconds are medians from sending to the answer. Copying or transferring to a thread exists only in Node ' +
    '(labelled so): a Python thread shares the very object.',
  columns: IPC_COLUMNS,
  traceable: false,
  takes: ['size'],
  measure: measureIpc,
});
