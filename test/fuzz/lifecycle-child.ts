// One lifecycle fuzz scenario, run in a child process of its own (test/fuzz/lifecycle-targets.ts).
// argv[2] is the scenario as JSON. The child starts native work that is still pending, then ends in
// the chosen way; the parent checks that the process *ends* within a deadline, with the exit status
// a Node user expects, and never by a signal (SIGABRT, SIGSEGV, SIGBUS).
import { Worker } from 'node:worker_threads';
import { Interpreter, kernels, ThreadPoolExecutor } from 'gil-lab';

export type Work = 'spinAsync' | 'sleepAsync' | 'acquireAsync' | 'holdAsync' | 'poolTask';
export type Ending = 'exit' | 'throw' | 'return' | 'terminateWorker' | 'exitInWorker';
export interface Scenario {
  /** Pending native work to start (where: the main thread, or a worker thread that then ends). */
  work: Work[];
  where: 'main' | 'worker';
  /** Whether the main thread takes the main interpreter's lock before the work starts (and keeps it). */
  mainHolds: boolean;
  ending: Ending;
  exitCode: number;
}

const FOREVER_NS = 2 ** 52;

/** Starts each piece of work and returns without waiting for any of it. */
export function startWork(work: readonly Work[]): void {
  const swallow = (p: Promise<unknown>) => p.catch(() => undefined);
  for (const w of work) {
    if (w === 'spinAsync') swallow(kernels.spinAsync(FOREVER_NS, { mode: 'release' }));
    if (w === 'sleepAsync') swallow(kernels.sleepAsync(FOREVER_NS, { mode: 'release' }));
    if (w === 'holdAsync') swallow(kernels.spinAsync(FOREVER_NS, { mode: 'hold' }));
    if (w === 'acquireAsync') swallow(Interpreter.main().acquireAsync());
    if (w === 'poolTask') {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1, lock: 'shared' });
      swallow(pool.submit('spin', FOREVER_NS));
    }
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.child).then(async (m) => {
  m.startWork(workerData.work);
  await new Promise((r) => setTimeout(r, 50));
  if (workerData.ending === 'exitInWorker') process.exit(3);
  parentPort.postMessage('started');
});
`;

async function main(): Promise<void> {
  const s = JSON.parse(process.argv[2]) as Scenario;
  const gil = Interpreter.main();
  // The lock first: work that needs it then waits (a pool worker in a blocking acquire, an async
  // kernel in hold mode, an acquireAsync of the main interpreter).
  if (s.mainHolds) await gil.acquireAsync();
  if (s.where === 'main') {
    startWork(s.work);
  } else {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { child: import.meta.url, work: s.work, ending: s.ending },
    });
    worker.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      worker.once('exit', () => resolve());
    });
    if (s.ending === 'terminateWorker') await worker.terminate();
  }
  await new Promise((r) => setTimeout(r, 30));
  if (s.ending === 'exit') process.exit(s.exitCode);
  if (s.ending === 'throw') throw new Error('uncaught, on purpose');
  // 'return', 'terminateWorker', 'exitInWorker': the main thread ends normally (exit code 0), with
  // whatever is still pending in native code abandoned by process.exit from the 'exit' path.
  if (s.mainHolds) gil.release();
  process.exit(0);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
