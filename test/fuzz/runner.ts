// Runs fuzz targets with fast-check: a fixed number of cases (the test suite) or for a time (npm
// run fuzz), sharing the budget among targets by weight. A failure is reported with fast-check's
// seed, path and shrunk counterexample, so `--seed S --path P` replays it.
import fc from 'fast-check';
import { createContext, unlinkFuzzSegments, type FuzzContext } from './harness.js';
import type { FuzzTarget } from './native-targets.js';

export interface FuzzRunOptions {
  seed: number;
  /** Total cases over all targets (ignored when `seconds` is set). */
  runs?: number;
  /** Run for about this long instead, sharing the time by weight. */
  seconds?: number;
  /** Only targets whose name contains this. */
  only?: string;
  /** Replay one failure: fast-check's path (with --seed and --only). */
  path?: string;
  /** The watchdog's soft and hard limits. */
  softMs?: number;
  hardMs?: number;
  log?: (line: string) => void;
}

export interface FuzzRunResult {
  /** fast-check runs (cases) over all targets. */
  runs: number;
  /** Calls made (a case may make several). */
  calls: number;
  perTarget: Map<string, number>;
  errorNames: Map<string, number>;
  /** Results checked against an oracle, by kind. */
  checks: Map<string, number>;
  failures: string[];
  elapsedMs: number;
}

export async function runFuzz(targets: readonly FuzzTarget[], options: FuzzRunOptions): Promise<FuzzRunResult> {
  const log = options.log ?? (() => {});
  const chosen = targets.filter((t) => options.only === undefined || t.name.includes(options.only));
  if (chosen.length === 0) throw new RangeError(`no fuzz target matches ${JSON.stringify(options.only)}`);
  const ctx: FuzzContext = createContext({ softMs: options.softMs, hardMs: options.hardMs });
  const weights = chosen.reduce((sum, t) => sum + t.weight, 0);
  const failures: string[] = [];
  let runs = 0;
  const started = performance.now();
  try {
    for (const [index, target] of chosen.entries()) {
      const share = target.weight / weights;
      const baseSeed = (options.seed + index * 7919) | 0;
      const before = ctx.tally.total;
      const t0 = performance.now();
      let targetRuns = 0;
      let failed = false;
      // Time mode runs chunks of cases with derived seeds until the target's share of the time is
      // spent. (fast-check's interruptAfterTimeLimit would abandon a running async case, which then
      // goes on in the background and disturbs the next ones.)
      const deadline = options.seconds === undefined ? undefined : t0 + options.seconds * 1000 * share;
      for (let chunk = 0; !failed; chunk++) {
        const seed = deadline === undefined ? baseSeed : (baseSeed + chunk * 104_729) | 0;
        const parameters: fc.Parameters<unknown[]> = {
          seed,
          numRuns: deadline === undefined ? Math.max(1, Math.round((options.runs ?? 1000) * share)) : 50,
          ...(options.path === undefined ? {} : { path: options.path }),
        };
        const details = await fc.check(target.property(ctx), parameters);
        targetRuns += details.numRuns;
        if (details.failed) {
          failed = true;
          const error = details.errorInstance;
          const message = `${fc.defaultReportMessage(details) ?? 'failed'}\n${
            error instanceof Error ? (error.stack ?? error.message) : String(error)
          }`;
          failures.push(
            `${target.name} (replay: --runs 1 --seed ${seed} --only "${target.name}" --path "${details.counterexamplePath}"):\n${message}`,
          );
        }
        if (deadline === undefined || performance.now() >= deadline || options.path !== undefined) break;
      }
      runs += targetRuns;
      log(
        `fuzz: ${target.name}: ${targetRuns} runs, ${ctx.tally.total - before} calls in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
          (failed ? ' FAILED' : ''),
      );
    }
  } finally {
    for (const target of new Set(chosen.map((t) => t.teardown))) await target?.();
    await ctx.watchdog.close();
    unlinkFuzzSegments();
  }
  return {
    runs,
    calls: ctx.tally.total,
    perTarget: ctx.tally.cases,
    errorNames: ctx.tally.errors,
    checks: ctx.tally.checks,
    failures,
    elapsedMs: performance.now() - started,
  };
}
