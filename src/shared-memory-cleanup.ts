// Segments this process created and has not unlinked, unlinked when it ends: on exit, and on
// SIGINT/SIGTERM (Ctrl-C during `gil-lab run ipc` used to leave 1–64 MiB gil_lab_* segments in
// /dev/shm, which only a reboot or a manual rm gives back). Python's multiprocessing does the same
// with its resource tracker.
//
// The listeners exist only while such segments do, so a program that uses no shared memory keeps
// its own signal handling unchanged. On a signal, if the program has a listener of its own, it has
// chosen to handle the signal (and may go on using its segments): nothing is done then but the
// unlink at exit. Otherwise the segments are unlinked, the listeners removed, and the signal raised
// again, so the process still dies of it (exit status 130 for Ctrl-C in a shell).
import { isMainThread } from 'node:worker_threads';
import { native } from './native.js';

const created = new Set<string>();
// Worker threads get no signal events; their 'exit' is the worker's end.
const SIGNALS: readonly NodeJS.Signals[] = isMainThread ? ['SIGINT', 'SIGTERM'] : [];
let listening = false;

function unlinkAll(): void {
  for (const name of created) {
    try {
      native.shmUnlink(name);
    } catch {
      // Already unlinked by another process: nothing left to do.
    }
  }
  created.clear();
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  process.removeListener('exit', unlinkAll);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  unlinkAll();
  stopListening();
  process.kill(process.pid, signal);
}

/** Records a segment this process created (its POSIX name, with the leading '/'). */
export function rememberCreated(posixName: string): void {
  created.add(posixName);
  if (listening) return;
  listening = true;
  process.on('exit', unlinkAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Forgets a segment that is being unlinked; the listeners go with the last one. */
export function forgetCreated(posixName: string): void {
  created.delete(posixName);
  if (created.size === 0) stopListening();
}
