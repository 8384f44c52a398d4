// Checks .clang-format on C++ files under native/ (or only the files named), or with --fix applies it.
//   node scripts/lint-cpp.mjs [--fix] [file...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const fix = args.includes('--fix');
const named = args.filter((a) => !a.startsWith('--'));
const isCpp = (name) => /\.(h|hpp|cc|cpp)$/.test(name);
const files =
  named.length > 0
    ? named.filter(isCpp)
    : readdirSync('native', { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && isCpp(e.name))
        .map((e) => path.join(e.parentPath ?? e.path, e.name))
        .sort();
if (files.length === 0) process.exit(0);
const result = spawnSync('clang-format', fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files], {
  stdio: 'inherit',
});
if (result.error) {
  console.error('lint:cpp needs clang-format (Debian: apt-get install clang-format).');
  process.exit(1);
}
process.exit(result.status ?? 1);
