// Experiment options: defaults, validation of options given through the API, and parsing of the
// command line's strings. Every check runs before any experiment starts, so bad input never costs
// a half-finished run.
import os from 'node:os';
import { POLICIES, type Policy } from '../interpreter.js';
import { CPU_KERNELS, SIZES, type CpuKernelName, type ExperimentOptions, type Size } from './types.js';

/** The most workers an experiment accepts; more would only measure the scheduler. */
export const MAX_WORKERS = 256;
/** The longest switch interval the lock accepts (10 s), in milliseconds. */
export const MAX_SWITCH_INTERVAL_MS = 10_000;
/** Default workers: the machine's parallelism, at least 2 (a lock needs two threads to matter), at most 8 (keeps the tour short on big machines; pass --workers for more). */
export function defaultWorkers(): number {
  return Math.max(2, Math.min(8, os.availableParallelism()));
}

export type ExperimentOptionsInput = Partial<ExperimentOptions>;

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value === null) return 'null';
  return typeof value === 'number' ? String(value) : typeof value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Checks options given through the API and fills in the defaults; TypeError/RangeError name the option. */
export function resolveOptions(input: ExperimentOptionsInput = {}): ExperimentOptions {
  if (typeof input !== 'object' || input === null) throw new TypeError('options must be an object');
  const workers = input.workers ?? defaultWorkers();
  if (typeof workers !== 'number') throw new TypeError(`options.workers must be a number, got ${describe(workers)}`);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new RangeError(`options.workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  const policy = input.policy === undefined ? undefined : oneOf<Policy>(input.policy, POLICIES, 'options.policy');
  const switchIntervalMs = input.switchIntervalMs;
  if (switchIntervalMs !== undefined) {
    if (typeof switchIntervalMs !== 'number')
      throw new TypeError(`options.switchIntervalMs must be a number, got ${describe(switchIntervalMs)}`);
    // The lock counts in whole microseconds.
    if (!(switchIntervalMs >= 0.001 && switchIntervalMs <= MAX_SWITCH_INTERVAL_MS)) {
      throw new RangeError(
        `options.switchIntervalMs must be from 0.001 to ${MAX_SWITCH_INTERVAL_MS} (ms), got ${switchIntervalMs}`,
      );
    }
  }
  const size = oneOf<Size>(input.size ?? 'small', SIZES, 'options.size');
  const kernel = oneOf<CpuKernelName>(input.kernel ?? 'countPrimes', CPU_KERNELS, 'options.kernel');
  for (const key of ['trace', 'sweep'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'boolean')
      throw new TypeError(`options.${key} must be a boolean, got ${describe(input[key])}`);
  }
  if (input.onStep !== undefined && typeof input.onStep !== 'function')
    throw new TypeError('options.onStep must be a function');
  const options: ExperimentOptions = {
    workers,
    size,
    kernel,
    trace: input.trace ?? false,
    sweep: input.sweep ?? false,
  };
  if (policy !== undefined) options.policy = policy;
  if (switchIntervalMs !== undefined) options.switchIntervalMs = switchIntervalMs;
  if (input.onStep !== undefined) options.onStep = input.onStep;
  return options;
}

/** The command line's option values, as node:util parseArgs gives them. */
export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function single(values: CliValues, key: string): string | undefined {
  const value = values[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new RangeError(`--${key} was given more than once`);
  if (typeof value !== 'string') throw new RangeError(`--${key} needs a value`);
  return value;
}

/**
 * Parses `--workers`, `--policy`, `--switch-interval-ms`, `--size` and `--kernel` from the command
 * line. Throws a RangeError naming the flag and its valid values.
 */
export function parseCliOptions(values: CliValues): ExperimentOptionsInput {
  const input: ExperimentOptionsInput = {};
  const workers = single(values, 'workers');
  if (workers !== undefined) {
    if (!/^\d+$/.test(workers.trim()) || Number(workers) < 1 || Number(workers) > MAX_WORKERS) {
      throw new RangeError(`--workers must be a whole number from 1 to ${MAX_WORKERS}, got '${workers}'`);
    }
    input.workers = Number(workers);
  }
  const policy = single(values, 'policy');
  if (policy !== undefined) {
    if (!(POLICIES as readonly string[]).includes(policy))
      throw new RangeError(`--policy must be one of ${POLICIES.join(', ')}, got '${policy}'`);
    input.policy = policy as Policy;
  }
  const interval = single(values, 'switch-interval-ms');
  if (interval !== undefined) {
    const ms = interval.trim() === '' ? NaN : Number(interval);
    if (!Number.isFinite(ms) || ms < 0.001 || ms > MAX_SWITCH_INTERVAL_MS) {
      throw new RangeError(
        `--switch-interval-ms must be a number of milliseconds from 0.001 to ${MAX_SWITCH_INTERVAL_MS}, got '${interval}'`,
      );
    }
    input.switchIntervalMs = ms;
  }
  const size = single(values, 'size');
  if (size !== undefined) {
    if (!(SIZES as readonly string[]).includes(size))
      throw new RangeError(`--size must be one of small, medium, large (or tiny, for smoke tests), got '${size}'`);
    input.size = size as Size;
  }
  const kernel = single(values, 'kernel');
  if (kernel !== undefined) {
    if (!(CPU_KERNELS as readonly string[]).includes(kernel))
      throw new RangeError(`--kernel must be one of ${CPU_KERNELS.join(', ')}, got '${kernel}'`);
    input.kernel = kernel as CpuKernelName;
  }
  return input;
}

/** Picks a value per size: sizes listed as [tiny, small, medium, large]. */
export function bySize<T>(size: Size, values: readonly [T, T, T, T]): T {
  return values[SIZES.indexOf(size)]!;
}

/** The switch interval in microseconds for the lock, from options (5 ms when not given). */
export function switchIntervalUs(options: ExperimentOptions): number {
  return Math.max(1, Math.round((options.switchIntervalMs ?? 5) * 1000));
}
