// `npm run bench [-- suite...] [--json] [--out DIR] [--max-time S]`
import { parseArgs } from 'node:util';
import { runBench, suiteNames } from './runner.js';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        out: { type: 'string' },
        'max-time': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\nvalid options: --json, --out DIR, --max-time S\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(
      `usage: npm run bench -- [suite...] [--json] [--out DIR] [--max-time S]\nsuites: ${suiteNames().join(', ')}\n`,
    );
    return 0;
  }
  const maxTimeS = values['max-time'] === undefined ? undefined : Number(values['max-time']);
  try {
    await runBench(positionals, { json: values.json, outDir: values.out, maxTimeS });
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
