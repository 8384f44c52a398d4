// ProcessPoolExecutor: a pool of child processes (child_process.fork of dist/executors/process-worker.js).
// Each child has its own main interpreter, so CPU-bound tasks escape the lock, at the price of a
// process start and of serializing arguments and results. Large arrays can be shared instead of
// copied through a SharedMemory segment.

import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SharedMemory } from '../shared-memory.js';
import { controlBytes, doorbellCell, sharedMemoryCells } from './control.js';
import { BrokenProcessPool } from './errors.js';
import { inheritedExecArgv } from './exec-argv.js';
import { checkJsonCarriable } from './json-carriable.js';
import { encodeFrame, FrameReader } from './frames.js';
import { RUN_ITEM_FIELDS, type RunMessage } from './protocol.js';
import {
  PoolExecutor,
  type BrokenDetails,
  type ExecutorOptions,
  type SpawnedWorker,
  type WorkerEvents,
} from './pool.js';

export interface ProcessPoolExecutorOptions extends ExecutorOptions {
  /** A child exits after this many tasks and a fresh one replaces it (Python's max_tasks_per_child). */
  maxTasksPerChild?: number;
  /** How messages are encoded: 'advanced' (V8 serialization, the structured-clone types; default) or 'json'. */
  serialization?: 'advanced' | 'json';
  /** Node options for the children; default: this process's, less -e/-p, --input-type, --test*, --inspect*, --watch*. */
  execArgv?: string[];
  /** The children's environment; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const WORKER_PATH = fileURLToPath(new URL('./process-worker.js', import.meta.url));

/** Tasks and results travel on a socket of their own, this stdio slot of the child (frames.ts). */
export const PROCESS_CHANNEL_FD = 4;
/** After a child exits, how long its last results may take to arrive on that socket. */
const DRAIN_AFTER_EXIT_MS = 200;

/** serialization 'json': every argument of every task in the batch must survive JSON (the pool then finds which task's do not). */
function checkRunArgs(message: RunMessage): void {
  for (let i = 0; i < message.items.length; i += RUN_ITEM_FIELDS) {
    const args = message.items[i + 4] as unknown[];
    for (let k = 0; k < args.length; k++) checkJsonCarriable(args[k], `args[${k}]`);
  }
}

/**
 * A pool of child processes, each with its own interpreter lock, as Python's ProcessPoolExecutor.
 * `submit(task, ...args)` returns a Future; `submitWith({ signal }, task, ...args)` takes an
 * AbortSignal in the same call: aborting it cancels the task if it has not started and aborts it
 * (Future.abort()) if it runs. terminateWorkers()/killWorkers() end every child at once (Python 3.14).
 */
export class ProcessPoolExecutor extends PoolExecutor {
  readonly maxTasksPerChild: number | undefined;
  readonly serialization: 'advanced' | 'json';
  readonly #execArgv: string[];
  readonly #env: NodeJS.ProcessEnv | undefined;

  constructor(options: ProcessPoolExecutorOptions = {}) {
    super('process', options, options?.maxTasksPerChild);
    const serialization = options.serialization ?? 'advanced';
    if (serialization !== 'advanced' && serialization !== 'json') {
      throw new RangeError(`serialization must be 'advanced' or 'json', got ${JSON.stringify(serialization)}`);
    }
    if (
      options.execArgv !== undefined &&
      (!Array.isArray(options.execArgv) || options.execArgv.some((a) => typeof a !== 'string'))
    ) {
      throw new TypeError('execArgv must be an array of strings');
    }
    if (serialization === 'json') {
      (options.initializerArgs ?? []).forEach((arg, i) => checkJsonCarriable(arg, `initializerArgs[${i}]`));
    }
    this.maxTasksPerChild = options.maxTasksPerChild;
    this.serialization = serialization;
    this.#execArgv = options.execArgv ?? inheritedExecArgv();
    this.#env = options.env;
  }

  /**
   * Pools that have started children. When this process exits (process.exit(), an uncaught
   * exception, the end of the program), a child with tasks in flight is killed: its results have
   * nowhere to go, and a task that blocks its thread (a hold-mode kernel, a blocking wait) would
   * never see the IPC channel close and would run on as an orphan. Idle children leave by
   * themselves when the channel closes.
   */
  static readonly #live = new Set<ProcessPoolExecutor>();
  static #listening = false;

  static #killBusyChildrenAtExit(): void {
    for (const pool of ProcessPoolExecutor.#live) pool.killBusyWorkers();
  }

  protected override onClosed(): void {
    ProcessPoolExecutor.#live.delete(this);
  }

  protected override spawnWorker(_workerId: number, events: WorkerEvents): SpawnedWorker {
    ProcessPoolExecutor.#live.add(this);
    if (!ProcessPoolExecutor.#listening) {
      ProcessPoolExecutor.#listening = true;
      process.on('exit', () => ProcessPoolExecutor.#killBusyChildrenAtExit());
    }
    const shm = SharedMemory.create(controlBytes(this.pipelineDepth));
    const bell = doorbellCell(shm.size);
    let child: ChildProcess;
    try {
      child = fork(WORKER_PATH, [], {
        serialization: this.serialization,
        execArgv: this.#execArgv,
        env: this.#env,
        // fd 3: Node's IPC channel (the lifecycle: disconnect ends the child); fd 4: the tasks.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
      });
    } catch (error) {
      shm.close();
      shm.unlink();
      throw error;
    }
    const json = this.serialization === 'json';
    const socket = child.stdio[PROCESS_CHANNEL_FD] as Socket | null | undefined;
    let unlinked = false;
    const unlink = (): void => {
      if (unlinked) return;
      unlinked = true;
      try {
        shm.unlink();
      } catch {
        // already gone
      }
    };
    let exited = false;
    let lastResultsArrived: Promise<void> = Promise.resolve();
    if (socket) {
      const reader = new FrameReader();
      socket.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk, (message) => events.message(message as never));
        } catch (error) {
          // A frame that cannot be read: the child is not speaking our protocol; it must go.
          events.error(error);
          child.kill('SIGKILL');
        }
      });
      // A write to a child that died (EPIPE): its exit event settles its tasks.
      socket.on('error', () => {});
      lastResultsArrived = new Promise((resolve) => socket.once('close', () => resolve()));
    }
    // The IPC channel still brings a child's last words ('fatal', sent as it dies).
    child.on('message', (message) => events.message(message as never));
    child.on('exit', (code, signal) => {
      exited = true;
      // Results the child wrote just before it exited may still be on their way: let them land first.
      let reported = false;
      const report = (): void => {
        if (reported) return;
        reported = true;
        clearTimeout(timer);
        events.exit(code, signal);
      };
      const timer = setTimeout(report, DRAIN_AFTER_EXIT_MS);
      void lastResultsArrived.then(report);
    });
    child.on('error', (error) => {
      events.error(error);
      // A child that could not be spawned emits 'error' and never 'exit'.
      if (child.pid === undefined && !exited) {
        exited = true;
        events.exit(null, null);
      }
    });
    return {
      channel: {
        threadId: null,
        get pid() {
          return child.pid ?? null;
        },
        send: (message) => {
          if (!child.connected || !socket || socket.destroyed) return; // it is exiting; its exit event settles its tasks
          if (json && message.type === 'run') checkRunArgs(message);
          socket.write(encodeFrame(message, json));
          // A child that polls for its next task (idleSpinUs) reads it from the socket at once.
          shm.atomicAdd(bell, 1);
        },
        killIsReliable: true,
        kill: () => {
          child.kill('SIGKILL');
        },
        terminate: () => {
          child.kill('SIGTERM');
        },
        close: () => {
          if (child.connected) child.disconnect();
          else if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        },
        ref: () => {
          child.ref();
          child.channel?.ref();
          socket?.ref();
        },
        unref: () => {
          child.unref();
          child.channel?.unref();
          socket?.unref();
        },
      },
      control: sharedMemoryCells(shm),
      controlInit: { shmName: shm.name, byteLength: shm.size },
      serialization: this.serialization,
      lock: { model: 'shared' },
      // The child has attached: nobody else needs the name, and a crash of ours must not leave it behind.
      onReady: unlink,
      cleanup: () => {
        unlink();
        shm.close();
      },
    };
  }

  /**
   * Sends SIGTERM to every child now and shuts the pool down (Python 3.14's terminate_workers()):
   * tasks not started are cancelled, running ones fail with BrokenProcessPool. A child that
   * catches SIGTERM keeps running: killWorkers() then ends it. `await shutdown()` waits for the exits.
   */
  terminateWorkers(): void {
    this.endWorkersNow('terminate', 'SIGTERM', 'terminateWorkers()');
  }

  /** As terminateWorkers(), with SIGKILL (Python 3.14's kill_workers()). */
  killWorkers(): void {
    this.endWorkersNow('kill', 'SIGKILL', 'killWorkers()');
  }

  protected override readonly workerNoun = 'child process';

  protected override lockText(): string {
    return "one per process: each child runs its tasks under its own main interpreter's lock, so tasks run in parallel";
  }
  protected override readonly killVerb = 'killed';

  protected override brokenError(message: string, details: BrokenDetails): BrokenProcessPool {
    return new BrokenProcessPool(message, {
      exitCode: details.exitCode,
      signal: details.signal,
      pid: details.pid,
      cause: details.cause,
    });
  }
}
