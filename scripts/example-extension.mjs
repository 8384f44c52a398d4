// npm run example:extension: builds examples/extension (a native addon written against
// native/include/gil_lab.h alone) with node-gyp, offline, and runs its speedup table.
//   node scripts/example-extension.mjs [--build-only] [run.js options...]
// Expects gil-lab itself to be built (npm run build). The example finds gil-lab as a package, the
// way a user's addon would: examples/extension/node_modules/gil-lab, linked here to this folder.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = path.join(root, 'examples', 'extension');
const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const runArgs = args.filter((a) => a !== '--build-only');

function fail(message) {
  console.error(`example:extension: ${message}`);
  process.exit(1);
}

if (!existsSync(path.join(root, 'dist', 'index.js'))) fail('gil-lab is not built: run `npm run build` first');

// node_modules/gil-lab -> ../../.. (what `npm install` makes of the example's "file:../.." dependency).
const link = path.join(example, 'node_modules', 'gil-lab');
const target = path.relative(path.dirname(link), root) || '.';
const current = lstatSync(link, { throwIfNoEntry: false });
if (current === undefined || !current.isSymbolicLink() || readlinkSync(link) !== target) {
  if (current !== undefined) {
    if (!current.isSymbolicLink()) fail(`${link} exists and is not a link to gil-lab; remove it`);
    unlinkSync(link);
  }
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(target, link, 'junction');
}

// Node's headers: npm's nodedir (npm passes it as npm_config_nodedir), else the headers installed
// beside this node binary — so node-gyp never tries to download them.
const gypArgs = [];
const configured = process.env.npm_config_nodedir;
if (configured === undefined || configured === '' || configured === 'null' || configured === 'undefined') {
  const prefix = path.dirname(path.dirname(process.execPath));
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) gypArgs.push(`--nodedir=${prefix}`);
}

const require = createRequire(path.join(root, 'package.json'));
let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  nodeGyp = process.env.npm_config_node_gyp;
}
if (nodeGyp === undefined || !existsSync(nodeGyp)) fail('node-gyp not found: run `npm install` in the gil-lab folder');

function run(file, argv) {
  const result = spawnSync(process.execPath, [file, ...argv], { cwd: example, stdio: 'inherit' });
  if (result.error) fail(result.error.message);
  return result.status ?? 1;
}

for (const step of [
  ['configure', ...gypArgs],
  ['build', '--jobs', '2', ...gypArgs],
]) {
  if (run(nodeGyp, step) !== 0) fail(`node-gyp ${step[0]} failed (see above)`);
}
if (!buildOnly) process.exit(run(path.join(example, 'run.js'), runArgs));
