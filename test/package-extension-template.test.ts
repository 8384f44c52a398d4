// The extension kit ships and builds: the packed tarball carries examples/template and
// examples/extension (sources only), and the template builds with node-gyp against the installed
// package's header, offline (npm's nodedir passed through), then runs under a ThreadPoolExecutor.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { packedInstall, repoRoot, type PackedInstall } from './fixtures/packed-install.js';

let installed: PackedInstall;
const template = () => path.join(installed.project, 'template');

before(() => {
  installed = packedInstall('gil-lab-template-');
  // The tarball has the addon's sources, not its build: an install would compile the same sources,
  // so the package copy borrows this checkout's build of them.
  symlinkSync(path.join(repoRoot, 'build'), path.join(installed.packageDir, 'build'), 'dir');
  cpSync(path.join(installed.packageDir, 'examples', 'template'), template(), { recursive: true });
});

after(() => {
  if (installed) rmSync(installed.project, { recursive: true, force: true });
});

test('npm pack ships the extension template and the full example, without build outputs', () => {
  for (const file of [
    'examples/template/binding.gyp',
    'examples/template/src/template.c',
    'examples/template/index.js',
    'examples/template/run.js',
    'examples/extension/src/collatz.cc',
    'examples/extension/binding.gyp',
    'native/include/gil_lab.h',
    'native/include/gil_lab.hpp',
  ]) {
    assert.ok(installed.files.includes(file), `${file} is in the tarball`);
  }
  assert.deepEqual(
    installed.files.filter((f) => /^examples\/[^/]+\/(build|node_modules)\//.test(f)),
    [],
    'no build outputs or node_modules under examples/',
  );
  const lines = readFileSync(path.join(installed.packageDir, 'examples/template/src/template.c'), 'utf8').split('\n');
  assert.ok(lines.length <= 80, `the template stays minimal (${lines.length} lines)`);
});

test('the template builds from the packed install with node-gyp, offline, and runs in both modes', () => {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  // What `npm run build` does for the user: npm hands node-gyp its nodedir. Without npm, the headers
  // installed beside this node binary.
  const nodedir = process.env.npm_config_nodedir || path.dirname(path.dirname(process.execPath));
  assert.ok(existsSync(path.join(nodedir, 'include', 'node', 'node_api.h')), `Node's headers under ${nodedir}`);
  const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`], {
    cwd: template(),
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, `node-gyp rebuild failed:\n${build.stdout.slice(-2000)}${build.stderr.slice(-2000)}`);
  const run = spawnSync(process.execPath, ['run.js', '1000000'], {
    cwd: template(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  // sum of i*i mod 7 for i < 1e6, the same in both modes and on both workers
  let expected = 0;
  for (let i = 0; i < 1_000_000; i++) expected += (i * i) % 7;
  assert.match(run.stdout, new RegExp(`sumHold: ${expected}, ${expected} in`));
  assert.match(run.stdout, new RegExp(`sumRelease: ${expected}, ${expected} in`));
});
