import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadNativeAddonFrom, NativeAddonLoadError } from 'gil-lab';
import { explainLoadError } from '#internal/native';

test('a missing addon gives an error that says to build it', () => {
  const missing = path.join(os.tmpdir(), 'gil-lab-no-such-dir', 'gil_lab.node');
  assert.throws(
    () => loadNativeAddonFrom(missing),
    (error: unknown) => {
      assert.ok(error instanceof NativeAddonLoadError);
      assert.match(error.message, /not built/);
      assert.match(error.message, /npm install/);
      assert.match(error.message, /npm run build/);
      return true;
    },
  );
});

test('a file that is not a loadable addon gives an error that says to rebuild', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-'));
  try {
    const bogus = path.join(dir, 'gil_lab.node');
    writeFileSync(bogus, 'not a shared library');
    assert.throws(
      () => loadNativeAddonFrom(bogus),
      (error: unknown) => {
        assert.ok(error instanceof NativeAddonLoadError);
        assert.match(error.message, /failed to load/);
        assert.match(error.message, /npm run build/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an addon built for another Node ABI gives an error that says to rebuild', () => {
  const abiError = new Error(
    "The module '/x/gil_lab.node'\nwas compiled against a different Node.js version using\n" +
      'NODE_MODULE_VERSION 108. This version of Node.js requires\nNODE_MODULE_VERSION 115.',
  );
  const error = explainLoadError(abiError, 'at /x/gil_lab.node');
  assert.ok(error instanceof NativeAddonLoadError);
  assert.match(error.message, /different Node\.js version/);
  assert.match(error.message, new RegExp(`ABI ${process.versions.modules}`));
  assert.match(error.message, /npm run build/);
  assert.equal(error.cause, abiError);
});

test('the bindings search failure is explained, not listed', () => {
  const searchError = new Error(
    'Could not locate the bindings file. Tried:\n → /a/build/gil_lab.node\n → /b/gil_lab.node',
  );
  const error = explainLoadError(searchError, 'in the package build folder');
  assert.match(error.message, /not built/);
  assert.doesNotMatch(error.message, /Tried:/);
});
