// The one place the native addon is loaded. Everything else imports `native` from here.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { ExtensionApiCapsule, LockEventKind, LockStats, SharedMemoryHandle, StallReport } from './native-types.js';
import type { NativeKernels } from './kernels/native-types.js';

const require = createRequire(import.meta.url);

/** Functions bound to one interpreter (native/addon/interpreter.cpp): the lock's hot calls. */
export interface InterpreterHandle {
  id: number;
  acquire(): void;
  acquireAsync(): Promise<void>;
  release(): void;
  checkpoint(): boolean;
  held(): boolean;
}

/**
 * The functions the addon exports. Each native area (native/addon/<area>.cpp) adds its fields here.
 */
export interface NativeAddon {
  /** Number of hardware threads (never less than 1). */
  hardwareConcurrency(): number;
  /** The package version the addon was built as. */
  version(): string;
  /** Does nothing; timing it gives the fixed cost of one Node-API call. */
  noop(): void;
  /**
   * Process exit (native/addon/job_runner.cpp): cancels every async kernel and lock wait of every
   * thread and ends every lock wait in the process for good, so that nothing native blocks the exit.
   * Called by a process 'exit' listener of the main thread; irreversible.
   */
  shutdown(): void;

  // --- the interpreter lock (native/addon/interpreter.cpp) ---
  interpreterHandle(id: number): InterpreterHandle;
  interpreterCreate(policy?: string, switchIntervalUs?: number, checkInterval?: number): number;
  interpreterDestroy(id: number): void;
  interpreterExists(id: number): boolean;
  interpreterIds(): number[];
  interpreterConfigure(id: number, policy?: string, switchIntervalUs?: number, checkInterval?: number): void;
  interpreterConfig(id: number): { policy: string; switchIntervalUs: number; checkInterval: number };
  lockStats(id: number): LockStats;
  lockResetStats(id: number): void;
  traceStart(id: number, capacity: number): void;
  traceStop(id: number): {
    events: { tNs: number; threadId: number; kind: LockEventKind }[];
    dropped: number;
  };
  currentThreadId(): number;
  nowNs(): number;
  watchdogSet(id: number, boundUs: number): void;
  watchdogReports(id: number): StallReport[];
  benchLockPair(iterations: number): number;
  benchMutexPair(iterations: number): number;
  benchHandoff(
    samples: number,
    switchIntervalUs: number,
  ): {
    samples: number;
    switchIntervalUs: number;
    waitP50Ns: number;
    waitP90Ns: number;
    waitMaxNs: number;
    dropToHolder: { count: number; p50Ns: number; p99Ns: number; maxNs: number };
  };

  // --- shared memory (native/addon/shared_memory.cpp) ---
  SharedMemoryHandle: new (mode: 'create' | 'attach', name: string, size?: number) => SharedMemoryHandle;
  shmUnlink(name: string): void;

  // --- the kernels (native/addon/kernels.cpp) ---
  kernels: NativeKernels;

  // --- an I/O channel and a plain OS thread (native/addon/io_channel.cpp, os_thread.cpp) ---
  IoChannel: new (maxBytes: number) => import('./kernels/io-channel.js').NativeIoChannel;
  osThreadFirstResult(interpreterId: number, spinNs: number): import('./kernels/io-channel.js').OsThreadResult;

  // --- the C extension API (native/addon/extension_api.cpp, native/include/gil_lab.h) ---
  /** The capsule: a type-tagged External carrying the gil_lab_api table (of `version`, default the latest). */
  extensionApi(version?: number): ExtensionApiCapsule;
  /** What the table's interpreter_current() answers on this thread (undefined: the main interpreter). */
  setThreadInterpreter(id: number | undefined): void;
  /**
   * Registers this thread's executor control block for the table's current_abort_flag(): cell
   * `currentCell` holds the running task's slot + 1 (0: none), whose abort flag is cell
   * slot * cellsPerSlot + abortOffset. undefined: none registered.
   */
  setThreadControl(
    cells: Int32Array | undefined,
    currentCell?: number,
    cellsPerSlot?: number,
    abortOffset?: number,
  ): void;
  /** GIL_LAB_API_VERSION of that table. */
  extensionApiVersion(): number;
}

/** The addon's module name: build/Release/gil_lab.node (node-gyp) or build-cmake/Release/gil_lab.node. */
export const ADDON_NAME = 'gil_lab';

/** Thrown when the addon cannot be loaded; says what went wrong and what to run. */
export class NativeAddonLoadError extends Error {
  override name = 'NativeAddonLoadError';
}

/** Turns a failure to load the addon into an error that says what happened and what to run. */
export function explainLoadError(error: unknown, where: string): NativeAddonLoadError {
  const message = error instanceof Error ? error.message : String(error);
  let text: string;
  if (message.includes('Could not locate the bindings file') || /Cannot find module/.test(message)) {
    text =
      `The gil-lab native addon is not built (no ${ADDON_NAME}.node found ${where}). ` +
      'Run `npm install` (or `npm run build`) in the gil-lab folder to compile it.';
  } else if (
    message.includes('NODE_MODULE_VERSION') ||
    message.includes('was compiled against a different Node.js version')
  ) {
    text =
      `The gil-lab native addon ${where} was built for a different Node.js version than this one ` +
      `(${process.version}, ABI ${process.versions.modules}). ` +
      'Rebuild it with `npm run build` (or `npm rebuild gil-lab`).';
  } else {
    text =
      `The gil-lab native addon ${where} failed to load: ${message.split('\n')[0]}. ` +
      'Rebuild it with `npm run build`.';
  }
  return new NativeAddonLoadError(text, { cause: error });
}

/** Loads the addon from an explicit file, e.g. build-cmake/Release/gil_lab.node. */
export function loadNativeAddonFrom(file: string): NativeAddon {
  try {
    return require(file) as NativeAddon;
  } catch (error) {
    throw explainLoadError(error, `at ${file}`);
  }
}

function loadNativeAddon(): NativeAddon {
  // GIL_LAB_ADDON=/path/to/gil_lab.node loads another build instead, e.g. the sanitizer build of
  // `npm run test:asan` (build-asan-addon/Release/gil_lab.node). Worker threads and child processes
  // inherit the variable, so they load the same file.
  const override = process.env.GIL_LAB_ADDON;
  if (override) return loadNativeAddonFrom(path.resolve(override)); // relative to the working directory
  try {
    const bindings = require('bindings') as (options: { bindings: string; module_root: string }) => unknown;
    // The package root (dist/..), given explicitly: bindings' own guess reads call stacks.
    const moduleRoot = fileURLToPath(new URL('..', import.meta.url));
    return bindings({ bindings: `${ADDON_NAME}.node`, module_root: moduleRoot }) as NativeAddon;
  } catch (error) {
    throw explainLoadError(error, 'in the package build folder');
  }
}

/** The addon built by `npm install` (node-gyp), loaded on first import. */
export const native: NativeAddon = loadNativeAddon();

// Node joins worker threads when the main thread exits (process.exit(), an uncaught exception, the
// end of the program); env cleanup hooks do not run on that path, but 'exit' listeners do. A
// worker blocked in acquire() would never be joined: end every lock wait first. (A worker's own
// end is handled natively, by its environment's cleanup hook.)
if (isMainThread) process.on('exit', () => native.shutdown());
