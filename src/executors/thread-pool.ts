// ThreadPoolExecutor: a pool of worker_threads, each running tasks under an interpreter lock
// chosen by the lock model:
//  - 'shared'   every worker takes the process-wide main interpreter's lock (the GIL): CPU-bound
//               tasks that hold it run one at a time, as Python threads do;
//  - 'isolated' every worker gets its own interpreter and lock (PEP 684 subinterpreters);
//  - 'free'     one interpreter with policy 'none' (PEP 703 free threading): no lock is taken.
// A worker holds its lock while it runs tasks and releases it when idle.

import { Worker, type ResourceLimits } from 'node:worker_threads';
import { Interpreter, POLICIES, type Policy } from '../interpreter.js';
import { controlBytes, doorbellCell, sharedArrayCells } from './control.js';
import { BrokenThreadPool } from './errors.js';
import { dropRefusedThreadFlags, threadWorkerExecArgv } from './exec-argv.js';
import {
  PoolExecutor,
  type BrokenDetails,
  type ExecutorOptions,
  type SpawnedWorker,
  type WorkerEvents,
} from './pool.js';
import type { LockSpec } from './protocol.js';

export type LockModel = 'shared' | 'isolated' | 'free';
export const LOCK_MODELS: readonly LockModel[] = ['shared', 'isolated', 'free'];

export interface ThreadPoolExecutorOptions extends ExecutorOptions {
  /**
   * Default 'shared', as Python: every task runs under the one main interpreter lock (the GIL), so
   * JavaScript tasks run one at a time. 'free' is a plain worker pool (no lock); 'isolated' gives
   * each worker a lock of its own.
   */
  lock?: LockModel;
  /**
   * The lock policy. 'shared': applied to the main interpreter (process-wide; it must be free then);
   * 'isolated': each worker's interpreter; 'free': must be 'none' if given.
   */
  policy?: Policy;
  /** The switch interval of the interpreter(s) the workers use, as for policy. */
  switchIntervalUs?: number;
  /** Passed to each Worker (heap limits). */
  resourceLimits?: ResourceLimits;
}

const WORKER_URL = new URL('./thread-worker.js', import.meta.url);

const RESOURCE_LIMIT_KEYS = ['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];

/** Checked here, not left to each Worker: a bad limit would otherwise break the pool at its first task. */
function checkResourceLimits(value: unknown): ResourceLimits | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('resourceLimits must be an object');
  }
  const limits: Record<string, number> = {};
  for (const [key, limit] of Object.entries(value)) {
    const name = `resourceLimits.${key}`;
    if (!RESOURCE_LIMIT_KEYS.includes(key)) {
      throw new TypeError(`${name} is not a Worker resource limit (one of ${RESOURCE_LIMIT_KEYS.join(', ')})`);
    }
    if (limit === undefined) continue;
    if (typeof limit !== 'number') throw new TypeError(`${name} must be a number of megabytes, got ${typeof limit}`);
    if (!Number.isFinite(limit) || limit <= 0) {
      throw new RangeError(`${name} must be a positive, finite number of megabytes, got ${limit}`);
    }
    limits[key] = limit;
  }
  return limits;
}

/**
 * A pool of worker threads under an interpreter lock (see the lock models above), as Python's
 * ThreadPoolExecutor. By default (lock 'shared') every worker runs its tasks under the one main
 * interpreter lock, the GIL: plain JavaScript tasks run one at a time, as Python threads do, and
 * only native code that releases the lock runs in parallel. `new ThreadPoolExecutor({ lock: 'free' })`
 * is a plain worker pool; `stats().lock` says which a pool is. `submit(task, ...args)` returns a Future; `submitWith({ signal }, task, ...args)`
 * takes an AbortSignal in the same call: aborting it cancels the task if it has not started and
 * aborts it (Future.abort()) if it runs. `map()`, `shutdown()`, `stats()` as in Executor.
 */
export class ThreadPoolExecutor extends PoolExecutor {
  readonly lockModel: LockModel;
  readonly #policy: Policy | undefined;
  readonly #switchIntervalUs: number | undefined;
  readonly #resourceLimits: ResourceLimits | undefined;
  /** 'free': the one policy-none interpreter all workers use. */
  #freeInterpreter: Interpreter | undefined;
  /** 'isolated': each live worker's interpreter. */
  readonly #isolated = new Map<number, Interpreter>();

  constructor(options: ThreadPoolExecutorOptions = {}) {
    super('thread', options);
    const lock = options.lock ?? 'shared';
    if (!LOCK_MODELS.includes(lock)) {
      throw new RangeError(
        `lock must be one of ${LOCK_MODELS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(lock)}`,
      );
    }
    if (options.policy !== undefined && !POLICIES.includes(options.policy)) {
      throw new RangeError(
        `policy must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(options.policy)}`,
      );
    }
    if (lock === 'free' && options.policy !== undefined && options.policy !== 'none') {
      throw new RangeError(`lock 'free' uses policy 'none'; policy ${JSON.stringify(options.policy)} contradicts it`);
    }
    this.lockModel = lock;
    this.#policy = options.policy;
    this.#switchIntervalUs = options.switchIntervalUs;
    this.#resourceLimits = checkResourceLimits(options.resourceLimits);
    if (lock === 'shared' && (options.policy !== undefined || options.switchIntervalUs !== undefined)) {
      Interpreter.main().configure({ policy: options.policy, switchIntervalUs: options.switchIntervalUs });
    } else if (lock === 'free') {
      this.#freeInterpreter = new Interpreter({ policy: 'none', switchIntervalUs: options.switchIntervalUs });
    } else if (lock === 'isolated' && options.switchIntervalUs !== undefined) {
      // Checked now rather than at the first worker's start.
      new Interpreter({ policy: options.policy, switchIntervalUs: options.switchIntervalUs }).destroy();
    }
  }

  /** The interpreters the live workers run under: [main] ('shared'), one per worker ('isolated'), or the policy-none one ('free'). */
  interpreters(): Interpreter[] {
    if (this.lockModel === 'shared') return [Interpreter.main()];
    if (this.lockModel === 'free') return this.#freeInterpreter === undefined ? [] : [this.#freeInterpreter];
    return [...this.#isolated.values()];
  }

  protected override spawnWorker(workerId: number, events: WorkerEvents): SpawnedWorker {
    let lock: LockSpec;
    let own: Interpreter | undefined;
    if (this.lockModel === 'shared') {
      lock = { model: 'shared' };
    } else if (this.lockModel === 'free') {
      lock = { model: 'free', interpreterId: this.#freeInterpreter!.id };
    } else {
      own = new Interpreter({ policy: this.#policy, switchIntervalUs: this.#switchIntervalUs });
      this.#isolated.set(workerId, own);
      lock = { model: 'isolated', interpreterId: own.id };
    }
    const buffer = new SharedArrayBuffer(controlBytes(this.pipelineDepth));
    const cells = new Int32Array(buffer);
    const bell = doorbellCell(buffer.byteLength);
    let worker: Worker;
    for (;;) {
      try {
        worker = new Worker(WORKER_URL, {
          resourceLimits: this.#resourceLimits,
          name: `gil-lab thread worker ${workerId}`,
          execArgv: threadWorkerExecArgv(),
        });
        break;
      } catch (error) {
        if (dropRefusedThreadFlags(error)) continue;
        own?.destroy();
        this.#isolated.delete(workerId);
        throw error;
      }
    }
    worker.on('message', events.message);
    worker.on('error', events.error);
    worker.on('exit', (code) => events.exit(code, null));
    const terminate = (): void => {
      worker.terminate().catch(() => {});
    };
    return {
      channel: {
        threadId: worker.threadId,
        pid: process.pid,
        send: (message, transfer) => {
          worker.postMessage(message, transfer);
          // Wake the worker if it waits on the doorbell rather than in its event loop.
          Atomics.add(cells, bell, 1);
          Atomics.notify(cells, bell, 1);
        },
        killIsReliable: false,
        kill: terminate,
        terminate,
        close: terminate,
        ref: () => worker.ref(),
        unref: () => worker.unref(),
      },
      control: sharedArrayCells(buffer),
      controlInit: { buffer },
      lock,
      cleanup: () => {
        if (own !== undefined) {
          this.#isolated.delete(workerId);
          own.destroy(); // throws if a thread still holds it (terminated while stuck in native code)
        }
      },
    };
  }

  protected override readonly workerNoun = 'worker thread';

  protected override lockText(): string {
    switch (this.lockModel) {
      case 'shared':
        return (
          "shared: every worker runs its tasks under the main interpreter's lock (the GIL), so JavaScript tasks " +
          "run one at a time and only native code that releases the lock runs in parallel; lock: 'free' is a plain worker pool"
        );
      case 'isolated':
        return 'isolated: one interpreter per worker, each with its own lock (PEP 684), so tasks run in parallel';
      case 'free':
        return 'free: no lock (PEP 703, the free-threaded build), so tasks run in parallel';
    }
  }
  protected override readonly killVerb = 'terminated';

  protected override brokenError(message: string, details: BrokenDetails): BrokenThreadPool {
    return new BrokenThreadPool(message, {
      exitCode: details.exitCode,
      threadId: details.threadId,
      cause: details.cause,
    });
  }

  protected override onClosed(): void {
    if (this.#freeInterpreter !== undefined) {
      try {
        this.#freeInterpreter.destroy();
        this.#freeInterpreter = undefined;
      } catch {
        // a terminated thread still inside a kernel holds it; it stays until the process ends
      }
    }
  }
}
