import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, type CliCommand } from './command.js';

// The benchmark suites live in bench/ and compile with tsconfig.dev.json to dist-dev/bench/.
const runnerUrl = new URL('../../dist-dev/bench/runner.js', import.meta.url);

interface BenchRunner {
  runBench(
    names: readonly string[],
    options: { json?: boolean; outDir?: string; stdout?: (t: string) => void },
  ): Promise<unknown>;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'run the benchmark suites (all, or one by name)',
  usage: 'bench [suite] [--json] [--out DIR]',
  options: { json: { type: 'boolean' }, out: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals, stdout, stderr }) {
    if (!existsSync(fileURLToPath(runnerUrl))) {
      stderr(
        'gil-lab bench: the benchmark suites are not compiled; run `npm run bench` (or `npm test`) in the gil-lab folder first.\n',
      );
      return 1;
    }
    const runner = (await import(runnerUrl.href)) as BenchRunner;
    try {
      await runner.runBench(positionals, {
        json: values.json === true,
        outDir: typeof values.out === 'string' ? values.out : undefined,
        stdout,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    return 0;
  },
};
