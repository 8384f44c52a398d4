// What `gil-lab run <experiment>` accepts, per experiment: the help text that lists exactly the
// options it uses (with the kernels and policies spelled out), and the refusal of the others.
import { POLICIES, type Policy } from '../interpreter.js';
import { MAX_SWITCH_INTERVAL_MS, MAX_WORKERS } from '../experiments/options.js';
import { wrap } from '../experiments/present.js';
import {
  CPU_KERNELS,
  EXPERIMENT_OPTION_NAMES,
  type CpuKernelName,
  type Experiment,
  type ExperimentOptionName,
} from '../experiments/types.js';
import { UsageError } from './command.js';

/** The command-line flag of each experiment option. */
export const OPTION_FLAGS: Readonly<Record<ExperimentOptionName, string>> = {
  workers: 'workers',
  policy: 'policy',
  switchIntervalMs: 'switch-interval-ms',
  size: 'size',
  kernel: 'kernel',
};

const OPTION_HELP: Readonly<Record<ExperimentOptionName, [string, string]>> = {
  workers: [
    'N',
    `threads or processes for the parallel runs, 1 to ${MAX_WORKERS} (default: this machine's CPUs, 2 to 8)`,
  ],
  policy: ['P', 'the lock policy (default cpython; some experiments compare several when none is given):'],
  switchIntervalMs: [
    'X',
    `the switch interval in ms, 0.001 to ${MAX_SWITCH_INTERVAL_MS} (default 5, as sys.setswitchinterval's 0.005 s)`,
  ],
  size: ['S', 'small, medium or large (default small); tiny for smoke tests, whose verdicts are "not testable"'],
  kernel: ['K', 'the CPU kernel (default countPrimes):'],
};

/** What each lock policy models. */
export const POLICY_MEANINGS: Readonly<Record<Policy, string>> = {
  cpython:
    "CPython's GIL since 3.2: a waiting thread asks the holder to drop the lock after one switch interval, and the holder must hand it over",
  legacy:
    "the pre-3.2 GIL: the holder lets go every few ticks and races to take it straight back (Beazley's 2009 slowdown)",
  fifo: 'a fair lock: once the interval is spent the lock goes to the longest waiter',
  none: 'no lock at all, as the free-threaded build (PEP 703): threads run in parallel, nothing is serialised',
};

/** What each CPU kernel computes. */
export const KERNEL_MEANINGS: Readonly<Record<CpuKernelName, string>> = {
  countPrimes: 'trial division over a range of integers (branchy integer code, the classic Python demo)',
  mandelbrot: 'rows of a Mandelbrot image (floating point)',
  sha256Chain: 'a chain of SHA-256 rounds (bit operations, like hashlib on small buffers)',
  matmul: 'a dense matrix multiply (cache-blocked; numpy-like work)',
};

/** The options an experiment takes (all of them when it does not say). */
export function optionsTaken(experiment: Experiment): readonly ExperimentOptionName[] {
  return experiment.takes ?? EXPERIMENT_OPTION_NAMES;
}

/** The output flags `run` accepts for this experiment. */
export function outputFlags(experiment: Experiment): string[] {
  return [
    '--json',
    '--svg FILE.svg',
    ...(experiment.traceable ? ['--trace FILE.json'] : []),
    '--against-cpython [PYTHON]',
  ];
}

/** Refuses (exit 2) the experiment options given on the command line that this experiment does not use. */
export function refuseUnusedOptions(experiment: Experiment, given: Record<string, unknown>): void {
  const taken = optionsTaken(experiment);
  const unused = EXPERIMENT_OPTION_NAMES.filter(
    (name) => !taken.includes(name) && given[OPTION_FLAGS[name]] !== undefined,
  );
  if (unused.length === 0) return;
  const takes = taken.map((name) => `--${OPTION_FLAGS[name]}`).join(', ');
  throw new UsageError(
    `${experiment.name} does not use ${unused.map((name) => `--${OPTION_FLAGS[name]}`).join(', ')}; ` +
      `it takes ${takes || 'no experiment options'} (and ${outputFlags(experiment).join(', ')}). ` +
      `See \`gil-lab run ${experiment.name} --help\`.`,
  );
}

/** `gil-lab run <experiment> --help`. */
export function experimentHelp(experiment: Experiment, width = 80): string {
  const taken = optionsTaken(experiment);
  const lines = [`usage: gil-lab run ${experiment.name} [options]`, '', wrap(experiment.question, width), ''];
  lines.push(wrap(`Claim: ${experiment.claim}`, width), '', 'options:');
  const flagWidth = 30;
  const describe = (flag: string, text: string) => {
    const body = wrap(text, width - flagWidth - 2).split('\n');
    lines.push(`  ${flag.padEnd(flagWidth - 2)}  ${body[0]}`);
    for (const more of body.slice(1)) lines.push(`${' '.repeat(flagWidth + 2)}${more}`);
  };
  for (const name of taken) {
    const [meta, text] = OPTION_HELP[name];
    describe(`--${OPTION_FLAGS[name]} ${meta}`, text);
    if (name === 'policy') for (const policy of POLICIES) describe(`    ${policy}`, POLICY_MEANINGS[policy]);
    if (name === 'kernel') for (const kernel of CPU_KERNELS) describe(`    ${kernel}`, KERNEL_MEANINGS[kernel]);
  }
  if (taken.length === 0) lines.push('  (no experiment options: it measures a fixed set of cases)');
  describe('--json', 'print the documented JSON object instead of the report');
  describe('--svg FILE.svg', 'write the charts (and lock timelines) as one SVG file');
  if (experiment.traceable) describe('--trace FILE.json', 'write the lock trace for ui.perfetto.dev');
  describe('--against-cpython [PYTHON]', "run the experiment's CPython twin too and compare");
  const unused = EXPERIMENT_OPTION_NAMES.filter((name) => !taken.includes(name));
  if (unused.length > 0) {
    lines.push(
      '',
      wrap(`Not used here (refused): ${unused.map((name) => `--${OPTION_FLAGS[name]}`).join(', ')}.`, width),
    );
  }
  return `${lines.join('\n')}\n`;
}
