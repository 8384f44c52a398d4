// The published package as a TypeScript user gets it: `npm pack`, unpacked into a consumer project's
// node_modules together with the package's declared dependencies (and nothing else), then a consumer
// file type-checked with `tsc --strict --module nodenext --moduleResolution nodenext --types node`.
// It pins: the .d.ts files use Node's types, so `@types/node` must be a dependency and referenced.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'consumer-ts');
let project = '';
let packedFiles: string[] = [];

/** Links `name` and, transitively, its own dependencies from this checkout's node_modules. */
function linkDependency(name: string, into: string, seen: Set<string>): void {
  if (seen.has(name)) return;
  seen.add(name);
  const from = path.join(root, 'node_modules', name);
  assert.ok(existsSync(from), `dependency ${name} is not installed in this checkout`);
  const to = path.join(into, name);
  mkdirSync(path.dirname(to), { recursive: true });
  symlinkSync(from, to, 'dir');
  const pkg = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(pkg.dependencies ?? {})) linkDependency(dep, into, seen);
}

before(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-consumer-'));
  cpSync(fixture, project, { recursive: true });
  const modules = path.join(project, 'node_modules');
  mkdirSync(modules);
  // --ignore-scripts: dist/ is already built by `npm test`; the tarball is what would be published.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], {
    cwd: root,
    encoding: 'utf8',
  });
  const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  packedFiles = info[0].files.map((f) => f.path);
  const unpacked = path.join(modules, 'gil-lab');
  mkdirSync(unpacked);
  execFileSync('tar', ['xzf', path.join(project, info[0].filename), '-C', unpacked, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const seen = new Set<string>();
  for (const dep of Object.keys(pkg.dependencies ?? {})) linkDependency(dep, modules, seen);
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
  assert.ok(packedFiles.includes('dist/index.d.ts'));
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
