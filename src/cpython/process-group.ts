// The CPython twin runs in a process group of its own, and the group ends with this process. A
// signal to the CLI alone (`kill -INT <pid>`, `timeout`, a supervisor's SIGTERM) used to end the CLI
// and leave the twin and its workers running as orphans; Ctrl-C in a terminal reached them only
// because the terminal signals the whole foreground group.
//
// On SIGINT/SIGTERM the signal is passed on to each twin's group, which gets a moment to clean up
// (Python unlinks its shared memory on KeyboardInterrupt; its resource tracker ignores the signal and
// exits once its users have), then whatever is left is killed. If the program has no listener of its
// own for the signal, this process then dies of it, as it would have; if it has, it handles the
// signal as it chose and only the twins are ended. On any other exit of this process while a twin
// runs, its group is killed at once.
// The listeners exist only while a twin runs.
import type { ChildProcess } from 'node:child_process';

/** How long a twin's group gets to end after the signal is passed on, before it is killed. */
const GRACE_MS = 2_000;
const POLL_MS = 20;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

const groups = new Set<number>();
let listening = false;
let ending = false;
// Callers waiting for the signal's handling to finish (resolved only if this process lives on).
let afterSignal: (() => void)[] = [];

/** Sends `signal` to the process group `pgid`; false when the group is gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Kills every twin group now (synchronous: also safe in an 'exit' listener). */
export function killGroups(): void {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  groups.clear();
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  process.removeListener('exit', killGroups);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (ending) return;
  ending = true;
  // Decided now, while this listener still counts: other listeners mean the program handles it.
  const programHandles = process.listenerCount(signal) > 1;
  const pending = [...groups];
  for (const pgid of pending) signalGroup(pgid, signal);
  const deadline = Date.now() + GRACE_MS;
  const poll = setInterval(() => {
    if (pending.some((pgid) => signalGroup(pgid, 0)) && Date.now() < deadline) return;
    clearInterval(poll);
    killGroups();
    stopListening();
    ending = false;
    if (!programHandles) {
      process.kill(process.pid, signal);
      return;
    }
    const waiting = afterSignal;
    afterSignal = [];
    for (const resume of waiting) resume();
  }, POLL_MS);
}

/**
 * Resolves at once, or, while a signal is being passed on to the twins, once that is done and only
 * if this process lives on: a twin that died of the signal is then not reported as a failed twin.
 */
export function signalHandled(): Promise<void> {
  return ending ? new Promise((resolve) => afterSignal.push(resolve)) : Promise.resolve();
}

/**
 * Ties `child`, spawned with `detached: true` (so that it leads a group of its own), to this
 * process's lifetime: its group is ended with this process. Call right after spawn.
 */
export function endWithThisProcess(child: ChildProcess): void {
  const pgid = child.pid;
  if (pgid === undefined) return;
  groups.add(pgid);
  if (!listening) {
    listening = true;
    process.on('exit', killGroups);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  child.once('exit', () => {
    if (ending) return; // the signal's listener ends the group and stops listening
    // A twin that ended by itself has ended its workers; its resource tracker may still be tidying up.
    groups.delete(pgid);
    if (groups.size === 0) stopListening();
  });
}

/** Kills `child`'s whole group (a twin that ran past its time, and the workers it started). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || !signalGroup(child.pid, 'SIGKILL')) child.kill('SIGKILL');
}
