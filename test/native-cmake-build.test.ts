// The addon built by cmake-js (npm run build:cmake) must export the same functions as the node-gyp
// build and behave the same. The test runs the (incremental) cmake-js build itself so it always
// compares up-to-date builds; set GIL_LAB_SKIP_CMAKE=1 to skip it where cmake is unavailable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNativeAddonFrom } from 'gil-lab';
import { native } from '#internal/native';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cmakeAddon = fileURLToPath(new URL('../../build-cmake/Release/gil_lab.node', import.meta.url));
const cmakeFound = spawnSync('cmake', ['--version']).status === 0;
const skip = process.env.GIL_LAB_SKIP_CMAKE === '1' ? 'GIL_LAB_SKIP_CMAKE=1' : !cmakeFound ? 'cmake not found' : false;

test('the cmake-js build exports the same functions with the same results', { skip, timeout: 600_000 }, () => {
  const build = spawnSync(process.execPath, ['scripts/build-cmake.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run build:cmake failed:\n${build.stdout}\n${build.stderr}`);
  assert.ok(existsSync(cmakeAddon), `no addon at ${cmakeAddon}`);

  const fromCmake = loadNativeAddonFrom(cmakeAddon);
  // bindings adds a `path` string to the module it loads; compare the functions.
  const functionNames = (addon: object) =>
    Object.entries(addon)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name)
      .sort();
  assert.deepEqual(functionNames(fromCmake), functionNames(native));
  assert.ok(functionNames(native).length >= 3);
  assert.equal(fromCmake.version(), native.version());
  assert.equal(fromCmake.hardwareConcurrency(), native.hardwareConcurrency());
  assert.equal(fromCmake.noop(), undefined);
});
