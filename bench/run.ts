// `npm run bench [-- suite...] [--quick] [--json] [--out DIR] [--no-save] [--label L] [--max-time S]`
import { parseArgs } from 'node:util';
import { DEFAULT_RESULTS_DIR, runBench, suiteNames } from './runner.js';

const USAGE = `usage: npm run bench -- [suite...] [--quick] [--json] [--out DIR] [--no-save] [--label L] [--max-time S]

  suite        run only these suites (default: all)
  --quick      every suite at a small size: all of them in about two minutes on 2 cores
  --json       print one JSON object { machine, suites: { <name>: ... } } on stdout, nothing else
  --out DIR    write <label>-<date>.json, .md and .svg into DIR
               (default for full runs: bench/results; quick runs write only with --out)
  --no-save    write no files
  --label L    the run's name in file names (default: <cpus>cpu-<cpu model>)
  --max-time S seconds per micro-benchmark case (default 1; 0.1 with --quick)
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        quick: { type: 'boolean' },
        out: { type: 'string' },
        'no-save': { type: 'boolean' },
        label: { type: 'string' },
        'max-time': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\nsuites: ${suiteNames().join(', ')}\n`);
    return 0;
  }
  const maxTimeS = values['max-time'] === undefined ? undefined : Number(values['max-time']);
  if (values['no-save'] && values.out !== undefined) {
    process.stderr.write('bench: --out and --no-save contradict each other\n');
    return 2;
  }
  const outDir = values['no-save'] ? undefined : (values.out ?? (values.quick ? undefined : DEFAULT_RESULTS_DIR));
  try {
    await runBench(positionals, { json: values.json, quick: values.quick, outDir, label: values.label, maxTimeS });
  } catch (error) {
    if (error instanceof RangeError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return 0;
}

process.exitCode = await main();
