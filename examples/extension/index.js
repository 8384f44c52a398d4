// The example extension as JavaScript uses it: loads the addon, hands it gil-lab's capsule, and
// checks arguments. Every thread that imports this module (the main thread, a worker_threads
// Worker, a ThreadPoolExecutor worker) gets its own instance of the addon and imports the table
// once — and every instance reaches the same process-wide interpreter locks.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, URL } from 'node:url';
import { extensionApi } from 'gil-lab';

const require = createRequire(import.meta.url);

/** Where node-gyp puts the addon; a CMake build (npm run build:cmake) goes to build-cmake/. */
const candidates = ['./build/Release/collatz.node', './build-cmake/Release/collatz.node'].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);
export const addonPath = candidates.find((p) => existsSync(p)) ?? candidates[0];

function loadAddon() {
  try {
    return require(addonPath);
  } catch (error) {
    throw new Error(
      `the example extension is not built (${addonPath}): run \`npm run example:extension\` in the gil-lab ` +
        'folder, or `npm run build` in examples/extension',
      { cause: error },
    );
  }
}

/** The raw addon: init(capsule), stoppingTimes and stoppingTimesAsync(lo, hi, mode, interpreterId?, abortFlag?). */
export const addon = loadAddon();
addon.init(extensionApi());

export const MODES = ['hold', 'release'];

/**
 * Collatz total stopping times of every n in [lo, hi): how many steps (n -> n/2 or 3n+1) each
 * takes to reach 1. `mode` 'hold' computes under the interpreter lock and checkpoints between
 * slices (other threads interleave with it); 'release' releases the lock for the whole
 * computation (other threads run in parallel). `interpreterId` picks the interpreter whose lock
 * is used (default: the main one, the process-wide GIL). A nonzero `abortFlag[0]` (set by another
 * thread) stops the computation within one slice; the result then says `aborted: true`.
 *
 * @param {number} lo first n (>= 1)
 * @param {number} hi one past the last n (<= 2^32)
 * @param {{ mode?: 'hold' | 'release', interpreterId?: number, abortFlag?: Int32Array }} [options]
 * @returns {{ count: number, totalSteps: number, maxSteps: number, argMax: number, yields: number,
 *   acquiredLock: boolean, aborted: boolean }}
 */
export function stoppingTimes(lo, hi, options = {}) {
  const mode = checkedMode(options);
  return addon.stoppingTimes(lo, hi, mode, options.interpreterId, options.abortFlag);
}

/**
 * stoppingTimes() as asynchronous work on Node's thread pool (napi_async_work): returns a Promise
 * at once; a pool thread takes the interpreter lock and holds it or releases it for the
 * computation. Called from an executor task, `await` it: the worker lets go of its lock while it
 * waits. Without interpreterId / abortFlag it uses the calling thread's current interpreter and
 * the running task's abort flag, found through gil-lab's C API.
 *
 * @param {number} lo
 * @param {number} hi
 * @param {{ mode?: 'hold' | 'release', interpreterId?: number, abortFlag?: Int32Array }} [options]
 */
export function stoppingTimesAsync(lo, hi, options = {}) {
  const mode = checkedMode(options);
  return addon.stoppingTimesAsync(lo, hi, mode, options.interpreterId, options.abortFlag);
}

function checkedMode(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const mode = options.mode ?? 'hold';
  if (!MODES.includes(mode)) throw new RangeError(`mode must be 'hold' or 'release', got ${JSON.stringify(mode)}`);
  return mode;
}
