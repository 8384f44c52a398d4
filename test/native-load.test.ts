import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hardwareConcurrency, version } from 'gil-lab';
import { native } from '#internal/native';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('the node-gyp addon loads and reports the package version', () => {
  assert.equal(native.version(), pkg.version);
  assert.equal(version(), pkg.version);
});

test('hardwareConcurrency() is a whole number of at least 1', () => {
  const n = hardwareConcurrency();
  assert.ok(Number.isInteger(n), `not an integer: ${n}`);
  assert.ok(n >= 1, `less than 1: ${n}`);
  assert.equal(native.hardwareConcurrency(), n);
});

test('noop() returns undefined', () => {
  assert.equal(native.noop(), undefined);
});
