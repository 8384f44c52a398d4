// What several experiments need around their pools: the task module, the main interpreter's
// settings (changed for a run, then put back), and lock traces turned into labelled timelines.
import { performance } from 'node:perf_hooks';
import { Interpreter, type InterpreterOptions, type LockEvent } from '../interpreter.js';
import type { ModuleTask } from '../executors/index.js';
import type { LockTrace } from './types.js';

const TASKS_URL = new URL('./tasks.js', import.meta.url);

/** A task naming an export of ./tasks.ts, as a user's program names its own task module. */
export function task(exportName: string): ModuleTask {
  return { module: TASKS_URL, export: exportName };
}

/**
 * Runs `fn` with the main interpreter (the process-wide lock) configured as asked, and puts the
 * previous settings back afterwards. The lock must be free at both ends (no pool holding it).
 */
export async function withMainLock<T>(settings: InterpreterOptions, fn: () => Promise<T>): Promise<T> {
  const main = Interpreter.main();
  const previous: InterpreterOptions = {
    policy: main.policy,
    switchIntervalUs: main.switchIntervalUs,
    checkInterval: main.checkInterval,
  };
  await configureWhenFree(main, settings);
  try {
    return await fn();
  } finally {
    await configureWhenFree(main, previous);
  }
}

/**
 * Reconfigures an interpreter as soon as its lock is free. A pool's worker lets go of the lock
 * before it answers, but a worker thread that is still winding down (a pool being shut down, a
 * terminated task) may hold or wait for it a moment longer.
 */
export async function configureWhenFree(interpreter: Interpreter, settings: InterpreterOptions): Promise<void> {
  const deadline = performance.now() + 5000;
  for (;;) {
    try {
      interpreter.configure(settings);
      return;
    } catch (error) {
      if (!(error instanceof Error) || !/held or waited on/.test(error.message) || performance.now() > deadline)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** Trace buffer size: enough for seconds of switching at a 0.1 ms interval, bounded in memory. */
export const TRACE_CAPACITY = 200_000;

/**
 * A LockTrace from raw events: the threads named in `threads` (in that order) are labelled with
 * their names, the rest by first appearance; the featured window (if `windowNs`) starts a quarter
 * of the way into the events, away from start-up.
 */
export function lockTrace(
  title: string,
  events: LockEvent[] & { droppedEvents?: number },
  threads: readonly { threadId: number; name: string }[],
  windowNs?: number,
): LockTrace {
  const labels = threads.map((t) => ({ threadId: t.threadId, name: t.name }));
  const known = new Set(labels.map((label) => label.threadId));
  let other = 0;
  for (const event of events) {
    if (!known.has(event.threadId)) {
      known.add(event.threadId);
      labels.push({ threadId: event.threadId, name: `thread ${++other}` });
    }
  }
  const trace: LockTrace = { title, events, labels, droppedEvents: events.droppedEvents ?? 0 };
  if (windowNs !== undefined && events.length > 0) {
    const first = events[0]!.tNs;
    const last = events[events.length - 1]!.tNs;
    const span = last - first;
    const length = Math.min(windowNs, span);
    const startNs = first + Math.max(0, Math.min(span - length, span / 4));
    if (length > 0) trace.window = { startNs, endNs: startNs + length };
  }
  return trace;
}

/** Names worker thread ids "worker 1", "worker 2", ... in the order given (duplicates dropped). */
export function workerLabels(threadIds: readonly number[], prefix = 'worker'): { threadId: number; name: string }[] {
  const seen = new Set<number>();
  const labels: { threadId: number; name: string }[] = [];
  for (const threadId of threadIds) {
    if (seen.has(threadId)) continue;
    seen.add(threadId);
    labels.push({ threadId, name: `${prefix} ${labels.length + 1}` });
  }
  return labels;
}
