// The target of the `kill` experiment: a long native kernel that never checks for an abort, run
// as a worker thread (workerData: { interpreterId, ns }) or as a child process (argv: ns). It
// says 'started' just before the kernel begins and 'finished' if the kernel returns.
import { parentPort, workerData } from 'node:worker_threads';
import { Interpreter } from '../interpreter.js';
import { kernels } from '../kernels/index.js';

function runKernel(interpreter: Interpreter, ns: number, say: (message: string) => void): void {
  interpreter.acquire();
  say('started');
  kernels.spin(ns, { interpreter }); // no signal: nothing can stop it from inside
  interpreter.release();
  say('finished');
}

if (parentPort !== null) {
  const { interpreterId, ns } = workerData as { interpreterId: number; ns: number };
  const port = parentPort;
  runKernel(Interpreter.byId(interpreterId), ns, (message) => port.postMessage(message));
} else if (process.send !== undefined) {
  const ns = Number(process.argv[2]);
  runKernel(Interpreter.main(), ns, (message) => process.send!(message));
  process.disconnect();
}
