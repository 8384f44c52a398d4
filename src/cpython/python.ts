// Finding the Python to compare with and running a twin script in it. Nothing here throws for a
// missing or unsuitable Python: the caller gets a reason to print, and the model's run stands.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { endWithThisProcess, killGroup, signalHandled } from './process-group.js';

/** The twins' script, shipped in the package's python/ folder. */
export const TWIN_SCRIPT = fileURLToPath(new URL('../../python/gil_lab_twins.py', import.meta.url));

/** The oldest Python the twins run on (multiprocessing.shared_memory is 3.8's). */
export const MIN_PYTHON: readonly [number, number] = [3, 8];

export interface PythonInfo {
  /** The version as Python reports it (platform.python_version()), e.g. "3.11.7". */
  version: string;
  /** platform.python_implementation(): "CPython", "PyPy", ... */
  implementation: string;
  /** A free-threaded build (3.13t+) running without the GIL (sys._is_gil_enabled() is false). */
  freeThreaded: boolean;
  freeThreadedBuild: boolean;
  gilEnabled: boolean;
  /** numpy's version, or null when it does not import. */
  numpy: string | null;
}

/** What a twin prints: its rows (or why it has none), notes, and the Python it ran in. */
export interface TwinOutput {
  experiment: string;
  python: PythonInfo;
  rows: Record<string, string | number | boolean | null>[];
  notes: string[];
  /** Why this experiment has no twin run here (no analogue, or numpy missing). */
  skipped?: string;
  elapsedSeconds?: number;
}

export type TwinRun = { ok: true; output: TwinOutput } | { ok: false; reason: string };

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
  timedOut: boolean;
}

function runProcess(command: string, args: readonly string[], input: string, timeoutMs: number): Promise<Exited> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (result: Omit<Exited, 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, stdout, stderr, timedOut });
    };
    // A group of its own, so that the twin and the workers it starts can be ended together.
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    endWithThisProcess(child);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    // A Python that dies early closes its stdin: that write error is the exit's business, not ours.
    child.stdin.on('error', () => {});
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the end, which is where a traceback says what went wrong.
      stderr = (stderr + chunk).slice(-8000);
    });
    child.on('error', (error) => finish({ code: null, signal: null, error }));
    child.on('close', (code, signal) => void signalHandled().then(() => finish({ code, signal })));
    child.stdin.end(input);
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.trim() ?? '';
}

function failure(python: string, what: string, exited: Exited, timeoutMs: number): string {
  if (exited.error) {
    const code = (exited.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `'${python}' was not found (no such file or command)`
      : `'${python}' could not be started: ${exited.error.message}`;
  }
  if (exited.timedOut) return `${what} did not finish within ${Math.round(timeoutMs / 1000)} s`;
  const why = lastLine(exited.stderr);
  return `${what} exited with ${exited.signal ?? `status ${exited.code}`}${why ? `: ${why}` : ''}`;
}

const PROBE =
  'import sys, json, platform; print(json.dumps({"major": sys.version_info[0], "minor": sys.version_info[1], ' +
  '"version": platform.python_version(), "implementation": platform.python_implementation()}))';

/** Checks that `python` runs and is recent enough; the reason otherwise. */
export async function probePython(
  python: string,
  timeoutMs = 30_000,
): Promise<{ ok: true; version: string; implementation: string } | { ok: false; reason: string }> {
  const exited = await runProcess(python, ['-c', PROBE], '', timeoutMs);
  if (exited.error || exited.timedOut || exited.code !== 0) {
    return { ok: false, reason: failure(python, `'${python}'`, exited, timeoutMs) };
  }
  let info: { major?: unknown; minor?: unknown; version?: unknown; implementation?: unknown };
  try {
    info = JSON.parse(lastLine(exited.stdout)) as typeof info;
  } catch {
    return { ok: false, reason: `'${python}' does not behave like a Python interpreter` };
  }
  const { major, minor, version, implementation } = info;
  if (typeof major !== 'number' || typeof minor !== 'number' || typeof version !== 'string') {
    return { ok: false, reason: `'${python}' does not behave like a Python interpreter` };
  }
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return {
      ok: false,
      reason: `'${python}' is Python ${version}; the twins need Python ${MIN_PYTHON.join('.')} or newer`,
    };
  }
  return { ok: true, version, implementation: typeof implementation === 'string' ? implementation : 'unknown' };
}

function isTwinOutput(value: unknown): value is TwinOutput {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const python = v.python as Record<string, unknown> | undefined;
  return (
    typeof v.experiment === 'string' &&
    typeof python === 'object' &&
    python !== null &&
    typeof python.version === 'string' &&
    typeof python.freeThreaded === 'boolean' &&
    (v.skipped === undefined || typeof v.skipped === 'string') &&
    (v.skipped !== undefined || Array.isArray(v.rows)) &&
    Array.isArray(v.notes)
  );
}

/** Runs the twin of `experiment` in `python` with `params` on stdin; its parsed output or why not. */
export async function runTwin(
  python: string,
  experiment: string,
  params: Record<string, unknown>,
  timeoutMs: number,
): Promise<TwinRun> {
  const exited = await runProcess(python, [TWIN_SCRIPT, experiment], JSON.stringify(params), timeoutMs);
  const what = `the ${experiment} twin`;
  if (exited.error || exited.timedOut || exited.code !== 0) {
    return { ok: false, reason: failure(python, what, exited, timeoutMs) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine(exited.stdout));
  } catch {
    return { ok: false, reason: `${what} printed no JSON object` };
  }
  if (!isTwinOutput(parsed)) return { ok: false, reason: `${what} printed JSON of an unexpected shape` };
  return { ok: true, output: { ...parsed, rows: parsed.rows ?? [] } };
}
