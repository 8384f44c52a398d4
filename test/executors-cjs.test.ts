// Task modules may be CommonJS files as well as ES modules.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';

describe('CommonJS task modules', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-cjs-'));
  const named = path.join(dir, 'named.cjs');
  writeFileSync(named, 'exports.triple = (x) => 3 * x;\nmodule.exports.kind = () => typeof require;\n');
  const single = path.join(dir, 'single.cjs');
  writeFileSync(single, 'module.exports = function negate(x) { return -x; };\n');
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, make] of [
    ['threads', () => new ThreadPoolExecutor({ maxWorkers: 1 })],
    ['processes', () => new ProcessPoolExecutor({ maxWorkers: 1 })],
  ] as const) {
    it(`named exports and module.exports = fn (${name})`, async () => {
      const pool = make();
      try {
        assert.equal(await pool.submit({ module: named, export: 'triple' }, 5), 15);
        assert.equal(await pool.submit({ module: pathToFileURL(named), export: 'kind' }), 'function');
        assert.equal(await pool.submit({ module: single }, 4), -4);
      } finally {
        await pool.shutdown();
      }
    });
  }
});
