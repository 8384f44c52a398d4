// The published package as a TypeScript user gets it: `npm pack`, unpacked into a consumer project's
// node_modules together with the package's declared dependencies (and nothing else), then a consumer
// file type-checked with `tsc --strict --module nodenext --moduleResolution nodenext --types node`.
// It pins: the .d.ts files use Node's types, so `@types/node` must be a dependency and referenced.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { packedInstall, repoRoot as root, type PackedInstall } from './fixtures/packed-install.js';

let installed: PackedInstall;
let project = '';

before(() => {
  installed = packedInstall('gil-lab-consumer-');
  project = installed.project;
  cpSync(path.join(root, 'test', 'fixtures', 'consumer-ts'), project, { recursive: true });
});

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test('the package declares @types/node and its entry .d.ts references it', () => {
  const pkg = JSON.parse(readFileSync(path.join(project, 'node_modules', 'gil-lab', 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  assert.ok(pkg.dependencies?.['@types/node'], 'dependencies must include @types/node');
  const dts = readFileSync(path.join(project, 'node_modules', 'gil-lab', 'dist', 'index.d.ts'), 'utf8');
  assert.match(dts, /\/\/\/ <reference types="node"/);
  assert.ok(installed.files.includes('dist/index.d.ts'));
});

test('a strict nodenext TypeScript consumer type-checks against the installed package', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '--strict',
      '--noEmit',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      'index.ts',
    ],
    { cwd: project, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
