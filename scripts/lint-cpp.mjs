// Checks (or with --fix, applies) .clang-format on every C++ file under native/.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const fix = process.argv.includes('--fix');
const files = readdirSync('native', { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.(h|hpp|cc|cpp)$/.test(e.name))
  .map((e) => path.join(e.parentPath ?? e.path, e.name))
  .sort();
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const result = spawnSync('clang-format', args, { stdio: 'inherit' });
if (result.error) {
  console.error('lint:cpp needs clang-format (Debian: apt-get install clang-format).');
  process.exit(1);
}
process.exit(result.status ?? 1);
