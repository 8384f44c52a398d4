import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, type CliCommand } from './command.js';

// The benchmark suites live in bench/ and compile (tsconfig.bench.json, part of the build) to
// dist/bench/, which ships: `npx gil-lab bench` works from an installed package. Loaded on demand,
// so that the other commands do not pay for it.
const runnerUrl = new URL('../bench/runner.js', import.meta.url);

interface BenchRunner {
  DEFAULT_RESULTS_DIR: string;
  runBench(
    names: readonly string[],
    options: {
      json?: boolean;
      quick?: boolean;
      outDir?: string;
      label?: string;
      maxTimeS?: number;
      stdout?: (t: string) => void;
    },
  ): Promise<unknown>;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'run the benchmark suites (all, or one by name) and the multicore scaling sweep',
  usage:
    'bench [suite...] [--quick] [--json] [--out DIR] [--no-save] [--label L] [--max-time S]\n\n' +
    '  --quick      every suite at a small size (all of them in about two minutes on 2 cores)\n' +
    '  --json       print one JSON object { machine, suites: { <name>: ... } } on stdout\n' +
    '  --out DIR    write <label>-<date>.json, .md and .svg into DIR\n' +
    '               (default for full runs: bench/results in a gil-lab checkout, ./gil-lab-bench-results\n' +
    '               from an installed package; quick runs write only with --out)\n' +
    '  --no-save    write no files\n' +
    "  --label L    the run's name in file names (default: <cpus>cpu-<cpu model>)\n" +
    '  --max-time S seconds per micro-benchmark case (default 1; 0.1 with --quick)',
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    out: { type: 'string' },
    'no-save': { type: 'boolean' },
    label: { type: 'string' },
    'max-time': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals, stdout, stderr }) {
    if (!existsSync(fileURLToPath(runnerUrl))) {
      stderr(
        'gil-lab bench: the benchmark suites are not compiled; run `npm run build` in the gil-lab folder first.\n',
      );
      return 1;
    }
    const quick = values.quick === true;
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (values['no-save'] === true && out !== undefined)
      throw new UsageError('--out and --no-save contradict each other');
    let maxTimeS: number | undefined;
    if (typeof values['max-time'] === 'string') {
      maxTimeS = Number(values['max-time']);
      if (!(maxTimeS > 0))
        throw new UsageError(`--max-time must be a positive number of seconds, got ${values['max-time']}`);
    }
    const runner = (await import(runnerUrl.href)) as BenchRunner;
    const outDir = values['no-save'] === true ? undefined : (out ?? (quick ? undefined : runner.DEFAULT_RESULTS_DIR));
    try {
      await runner.runBench(positionals, {
        json: values.json === true,
        quick,
        outDir,
        label: typeof values.label === 'string' ? values.label : undefined,
        maxTimeS,
        stdout,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    return 0;
  },
};
