// The lifecycle fuzz: each case is a child process that starts native work and then ends while that
// work is pending (process.exit, an uncaught exception, a worker terminated or exiting). The rule:
// the child ENDS within a deadline, with the status a Node user expects, and never dies of a signal.
// A clean error is not enough: a process that hangs or aborts at exit makes every figure suspect.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Ending, Scenario, Work } from './lifecycle-child.js';
import type { ResourceCase } from './resource-child.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lifecycle-child.js');
export const EXIT_DEADLINE_MS = 15_000;

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
}

/** Runs `node args...` (optionally under `ulimit -v kib`) and kills it after the deadline. */
export function runChild(args: string[], options: { ulimitKiB?: number } = {}): Promise<ChildResult> {
  return options.ulimitKiB === undefined
    ? runCommand(process.execPath, args)
    : runCommand('bash', ['-c', `ulimit -v ${options.ulimitKiB}; exec "$0" "$@"`, process.execPath, ...args]);
}

/** Runs a command and kills it (SIGKILL) if it has not ended by the deadline. */
export function runCommand(cmd: string, argv: string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, EXIT_DEADLINE_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stderr });
    });
  });
}

export function expectedExitCode(s: Scenario): number {
  if (s.ending === 'exit') return s.exitCode;
  if (s.ending === 'throw') return 1;
  return 0;
}

const WORK: Work[] = ['spinAsync', 'sleepAsync', 'acquireAsync', 'holdAsync', 'poolTask'];
const MAIN_ENDINGS: Ending[] = ['exit', 'throw', 'return'];
const WORKER_ENDINGS: Ending[] = ['terminateWorker', 'exitInWorker', 'exit', 'throw'];

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({
    work: fc.array(fc.constantFrom(...WORK), { minLength: 1, maxLength: 4 }),
    where: fc.constantFrom<'main' | 'worker'>('main', 'worker'),
    mainHolds: fc.boolean(),
    exitCode: fc.integer({ min: 0, max: 9 }),
    endingPick: fc.nat(),
  })
  .map(({ endingPick, ...s }) => {
    const endings = s.where === 'main' ? MAIN_ENDINGS : WORKER_ENDINGS;
    return { ...s, ending: endings[endingPick % endings.length] };
  });

/** Runs one scenario in a child; returns a description of what broke the rule, or undefined. */
export async function checkScenario(s: Scenario): Promise<string | undefined> {
  const r = await runChild([CHILD, JSON.stringify(s)]);
  const want = expectedExitCode(s);
  if (r.timedOut) return `did not exit within ${EXIT_DEADLINE_MS} ms`;
  if (r.signal !== null) return `died of ${r.signal}\n${r.stderr.slice(-1500)}`;
  if (r.code !== want) return `exited ${r.code}, expected ${want}\n${r.stderr.slice(-1500)}`;
  return undefined;
}

const RESOURCE_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'resource-child.js');
/** The address-space limit for allocation-failure cases: Node starts and runs within it, but a
 * kernel's private copy of a few hundred MiB does not always fit. */
export const ULIMIT_KIB = 1_500_000;
/** The size of the private /dev/shm of small-/dev/shm cases. */
export const SMALL_SHM = '2m';

export const allocCaseArbitrary: fc.Arbitrary<ResourceCase> = fc.record({
  kind: fc.constant<'alloc'>('alloc'),
  size: fc.integer({ min: 8 * 2 ** 20, max: 110 * 2 ** 20 }), // 64 MiB .. 880 MiB of float64
  kernel: fc.constantFrom<ResourceCase['kernel']>('sumAsync', 'triadAsync', 'matmulAsync'),
  mode: fc.constantFrom<ResourceCase['mode']>('hold', 'release'),
});

export const shmCaseArbitrary: fc.Arbitrary<ResourceCase> = fc.record({
  kind: fc.constant<'shm'>('shm'),
  size: fc.integer({ min: 4096, max: 16 * 2 ** 20 }),
  kernel: fc.constant<ResourceCase['kernel']>('sumAsync'),
  mode: fc.constant<ResourceCase['mode']>('release'),
});

/** True when this machine lets us mount a private tmpfs on /dev/shm in a new mount namespace. */
export function privateShmAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=${SMALL_SHM} tmpfs /dev/shm`], {
      stdio: 'ignore',
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Runs one resource case in a child; returns what broke the rule, or undefined. */
export async function checkResourceCase(c: ResourceCase): Promise<string | undefined> {
  const args = [RESOURCE_CHILD, JSON.stringify(c)];
  const r =
    c.kind === 'alloc'
      ? await runChild(args, { ulimitKiB: ULIMIT_KIB })
      : await runCommand('unshare', [
          '-m',
          'sh',
          '-c',
          `mount -t tmpfs -o size=${SMALL_SHM} tmpfs /dev/shm && exec "$0" "$@"`,
          process.execPath,
          ...args,
        ]);
  if (r.timedOut) return `did not exit within ${EXIT_DEADLINE_MS} ms`;
  if (r.signal !== null) return `died of ${r.signal}\n${r.stderr.slice(-1500)}`;
  if (r.code !== 0) return `exited ${r.code}\n${r.stderr.slice(-1500)}`;
  return undefined;
}
