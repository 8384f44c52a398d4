// `node dist/bench/scaling/main.js [--pin] [bench options…]`: the scaling suite alone, with
// --pin (each worker on a CPU of its own) — bench/run.ts's options are passed through to it.
// --pin sets GIL_LAB_SCALING_PIN=1, which the suite reads, so `GIL_LAB_SCALING_PIN=1 npm run bench
// -- scaling` is the same run.
import { parseArgs } from 'node:util';
import { DEFAULT_RESULTS_DIR, runBench } from '../runner.js';

const USAGE = `usage: node dist/bench/scaling/main.js [--pin] [--quick] [--json] [--out DIR] [--no-save] [--label L]

  --pin        pin each worker (thread, or child process's main thread) to a CPU of its own
  other options as for npm run bench (the scaling suite only)
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        pin: { type: 'boolean' },
        json: { type: 'boolean' },
        quick: { type: 'boolean' },
        out: { type: 'string' },
        'no-save': { type: 'boolean' },
        label: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`bench scaling: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values['no-save'] && values.out !== undefined) {
    process.stderr.write('bench scaling: --out and --no-save contradict each other\n');
    return 2;
  }
  if (values.pin) process.env.GIL_LAB_SCALING_PIN = '1';
  const outDir = values['no-save'] ? undefined : (values.out ?? (values.quick ? undefined : DEFAULT_RESULTS_DIR));
  try {
    await runBench(['scaling'], { json: values.json, quick: values.quick, outDir, label: values.label });
  } catch (error) {
    if (error instanceof RangeError) {
      process.stderr.write(`bench scaling: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return 0;
}

process.exitCode = await main();
