// npm run fuzz -- [--seconds N] [--runs N] [--seed S] [--group native|api|executors] [--only NAME] [--path P]
//
// Runs the fuzz targets (every group by default) for N seconds (default 60), or for N cases with
// --runs. The seed is random unless given; it is printed, with a replay line for each failure.
// Exits 1 on a failure. A crash or a hang kills the process (the watchdog names the case).
import { parseArgs } from 'node:util';
import { API_TARGETS } from './api-targets.js';
import { EXECUTOR_TARGETS } from './executor-targets.js';
import { NATIVE_TARGETS, type FuzzTarget } from './native-targets.js';
import { runFuzz } from './runner.js';

const GROUPS: Record<string, readonly FuzzTarget[]> = {
  native: NATIVE_TARGETS,
  api: API_TARGETS,
  executors: EXECUTOR_TARGETS,
};

function usage(message: string): never {
  console.error(`fuzz: ${message}`);
  console.error(
    'usage: npm run fuzz -- [--seconds N] [--runs N] [--seed S] [--group native|api|executors] [--only NAME] [--path P]',
  );
  process.exit(2);
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      group: { type: 'string' },
      only: { type: 'string' },
      path: { type: 'string' },
    },
  }));
} catch (error) {
  usage((error as Error).message);
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) usage(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

const seconds = positive('seconds', values.seconds);
const runs = positive('runs', values.runs);
if (seconds !== undefined && runs !== undefined) usage('give --seconds or --runs, not both');
const seed = values.seed === undefined ? (Math.random() * 2 ** 31) | 0 : Number(values.seed);
if (!Number.isInteger(seed)) usage(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
let groups = values.group === undefined ? Object.keys(GROUPS) : values.group.split(',');
for (const g of groups) if (!(g in GROUPS)) usage(`unknown group ${JSON.stringify(g)} (native, api, executors)`);
if (values.only !== undefined) {
  groups = groups.filter((g) => GROUPS[g]!.some((t) => t.name.includes(values.only!)));
  if (groups.length === 0) usage(`no fuzz target matches ${JSON.stringify(values.only)}`);
}

const budget =
  runs === undefined ? { seconds: (seconds ?? 60) / groups.length } : { runs: Math.ceil(runs / groups.length) };
console.log(
  `fuzz: seed ${seed}, groups ${groups.join(', ')}, ${runs === undefined ? `${seconds ?? 60} s` : `${runs} cases`}`,
);
let failed = false;
let totalRuns = 0;
let totalCalls = 0;
for (const group of groups) {
  const result = await runFuzz(GROUPS[group]!, {
    seed,
    ...budget,
    only: values.only,
    path: values.path,
    log: (line) => console.log(line),
  });
  totalRuns += result.runs;
  totalCalls += result.calls;
  console.log(
    `fuzz: ${group}: ${result.runs} cases, ${result.calls} calls in ${(result.elapsedMs / 1000).toFixed(1)} s; outcomes: ${[
      ...result.errorNames,
    ]
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}; oracle checks: ${[...result.checks].map(([k, n]) => `${k} ${n}`).join(', ')}`,
  );
  for (const failure of result.failures) {
    failed = true;
    console.error(`\nFAILED ${failure}`);
  }
}
console.log(`fuzz: ${failed ? 'FAILED' : 'ok'}: ${totalRuns} cases, ${totalCalls} calls, seed ${seed}`);
process.exit(failed ? 1 : 0);
