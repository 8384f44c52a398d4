// What every fuzz case shares: the watchdog, the rule for what counts as a clean error, and
// putting the process back as it was (locks released, extra interpreters destroyed, the main
// interpreter's configuration restored, shared memory segments unlinked) after each case.
import { readdirSync } from 'node:fs';
import { native } from '#internal/native';
import { describe } from './values.js';
import { Watchdog } from './watchdog.js';

/** Error names a call may throw. Anything else (ReferenceError, SyntaxError, ...) is a bug in our code. */
export const CLEAN_ERROR_NAMES: ReadonlySet<string> = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'AbortError',
  'TimeoutError',
  'CancelledError',
  'ExecutorShutdownError',
  'BrokenThreadPool',
  'BrokenProcessPool',
  'DataCloneError',
  'NativeAddonLoadError',
]);

/** Thrown by the fuzz itself when an outcome breaks a rule; fast-check reports it with the case. */
export class FuzzViolation extends Error {
  override name = 'FuzzViolation';
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Checks a thrown value: an Error instance, with an allowed name and a non-empty message. */
export function checkCleanError(error: unknown, label: string): Error {
  if (!(error instanceof Error)) {
    throw new FuzzViolation(`${label}: threw a non-Error value ${describe(error)}`);
  }
  if (!CLEAN_ERROR_NAMES.has(error.name)) {
    throw new FuzzViolation(`${label}: threw ${error.name}: ${error.message}\n${error.stack}`);
  }
  if (typeof error.message !== 'string' || error.message.length === 0) {
    throw new FuzzViolation(`${label}: threw ${error.name} with an empty message`);
  }
  return error;
}

/** Runs `call` (sync or returning a promise) and returns what happened. */
export async function outcomeOf(call: () => unknown, beforeAwait?: () => void): Promise<Outcome> {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return { ok: false, error };
  }
  if (value instanceof Promise) {
    beforeAwait?.();
    try {
      return { ok: true, value: await value };
    } catch (error) {
      return { ok: false, error };
    }
  }
  return { ok: true, value };
}

/** Counts cases and outcomes per target, for the summary. */
export class Tally {
  readonly cases = new Map<string, number>();
  readonly errors = new Map<string, number>();
  count(target: string, outcome?: Outcome): void {
    this.cases.set(target, (this.cases.get(target) ?? 0) + 1);
    if (outcome !== undefined) {
      const key = outcome.ok ? 'returned' : outcome.error instanceof Error ? outcome.error.name : 'non-Error';
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    }
  }
  /** Results checked against an oracle (a twin, a model), by kind. */
  readonly checks = new Map<string, number>();
  checked(kind: string): void {
    this.checks.set(kind, (this.checks.get(kind) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.cases.values()) n += v;
    return n;
  }
}

export const FUZZ_SHM_PREFIX = `gil_lab_fuzz_${process.pid}_`;

const MAIN_CONFIG = native.interpreterConfig(0);

/** Releases every lock the calling thread holds (all interpreters). */
export function releaseAllLocks(): void {
  for (const id of native.interpreterIds()) {
    const handle = native.interpreterHandle(id);
    for (let i = 0; i < 4 && handle.held(); i++) {
      try {
        handle.release();
      } catch {
        break;
      }
    }
  }
}

/** Puts the process back as the fuzz found it. */
export function restoreProcessState(baselineIds: ReadonlySet<number>): void {
  releaseAllLocks();
  for (const id of native.interpreterIds()) {
    try {
      native.traceStop(id);
    } catch {
      // not tracing
    }
    native.watchdogSet(id, 0);
    if (!baselineIds.has(id)) {
      try {
        native.interpreterDestroy(id);
      } catch (error) {
        throw new FuzzViolation(`could not destroy interpreter ${id} after a case: ${(error as Error).message}`);
      }
    }
  }
  const config = native.interpreterConfig(0);
  if (
    config.policy !== MAIN_CONFIG.policy ||
    config.switchIntervalUs !== MAIN_CONFIG.switchIntervalUs ||
    config.checkInterval !== MAIN_CONFIG.checkInterval
  ) {
    native.interpreterConfigure(0, MAIN_CONFIG.policy, MAIN_CONFIG.switchIntervalUs, MAIN_CONFIG.checkInterval);
  }
}

/** Unlinks every shared memory segment the fuzz made (names start with FUZZ_SHM_PREFIX). */
export function unlinkFuzzSegments(): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync('/dev/shm');
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(FUZZ_SHM_PREFIX)) continue;
    try {
      native.shmUnlink(`/${name}`);
      removed++;
    } catch {
      // gone already
    }
  }
  return removed;
}

export interface FuzzContext {
  watchdog: Watchdog;
  tally: Tally;
  baselineIds: ReadonlySet<number>;
}

export function createContext(options: { softMs?: number; hardMs?: number } = {}): FuzzContext {
  return {
    watchdog: new Watchdog(options),
    tally: new Tally(),
    baselineIds: new Set(native.interpreterIds()),
  };
}

/** Runs one case under the watchdog and restores the process afterwards, whatever happened. */
export async function runCase<T>(ctx: FuzzContext, label: string, body: () => Promise<T> | T): Promise<T> {
  ctx.watchdog.arm(label);
  try {
    return await body();
  } finally {
    ctx.watchdog.disarm();
    restoreProcessState(ctx.baselineIds);
  }
}
