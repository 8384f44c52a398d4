// Drives worker.js from the main thread: start a worker_threads Worker that has loaded the
// extension, send it ranges, get Promises of the results.
import { URL } from 'node:url';
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Starts a worker and resolves once it has loaded the extension.
 * @returns {Promise<{ threadId: number, run: (lo: number, hi: number, options?: object) => Promise<any>, terminate: () => Promise<number> }>}
 */
export function startExtensionWorker() {
  const worker = new Worker(WORKER_URL);
  const pending = new Map();
  let nextId = 1;
  let failure;
  const failAll = (error) => {
    failure = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  return new Promise((resolve, reject) => {
    worker.once('error', (error) => {
      failAll(error);
      reject(error);
    });
    worker.once('exit', (code) => {
      const error = new Error(`the extension worker exited with code ${code}`);
      failAll(error);
      reject(error);
    });
    worker.on('message', (message) => {
      if (message.ready) {
        resolve({
          threadId: message.threadId,
          /** Runs stoppingTimes(lo, hi, { mode, interpreterId, abortFlag }) in the worker. */
          run(lo, hi, { mode = 'hold', interpreterId, abortFlag } = {}) {
            if (failure !== undefined) return Promise.reject(failure);
            const id = nextId++;
            const abortBuffer = abortFlag?.buffer;
            if (abortBuffer !== undefined && !(abortBuffer instanceof SharedArrayBuffer)) {
              return Promise.reject(new TypeError('abortFlag must be an Int32Array over a SharedArrayBuffer'));
            }
            return new Promise((res, rej) => {
              pending.set(id, { resolve: res, reject: rej });
              worker.postMessage({ id, lo, hi, mode, interpreterId, abortBuffer });
            });
          },
          terminate: () => worker.terminate(),
        });
        return;
      }
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      pending.delete(message.id);
      if ('error' in message) entry.reject(message.error);
      else entry.resolve({ ...message.result, ms: message.ms });
    });
  });
}
