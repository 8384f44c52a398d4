// Runs the compiled TypeScript tests: every dist-dev/test/**/*.test.js whose source
// test/**/*.test.ts still exists (so a deleted test's stale output is not run).
// Files are passed explicitly so this works the same on Node 20 (directory search) and 22+ (globs).
// Extra arguments go to `node --test` (e.g. --test-name-pattern=...), or name test files to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : findTests(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const compiled = findTests(path.join('dist-dev', 'test')).filter((file) =>
  existsSync(file.replace(/^dist-dev[\\/]/, '').replace(/\.js$/, '.ts')),
);
const selected =
  named.length === 0
    ? compiled
    : compiled.filter((file) => named.some((n) => file.includes(path.basename(n).replace(/\.ts$|\.js$/, ''))));
if (selected.length === 0) {
  console.error(`no test files matched${named.length ? ` ${named.join(', ')}` : ''} under dist-dev/test`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', ...flags, ...selected.sort()], { stdio: 'inherit' });
process.exit(result.status ?? 1);
