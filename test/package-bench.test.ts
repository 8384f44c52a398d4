// `npx gil-lab bench` from the published package: the suites ship in dist/bench (they used to be
// compiled only to dist-dev/, which is not packed, so the command could only say they were missing),
// they need only the package's runtime dependencies, and the executors suite runs without the
// peers it compares against (piscina, workerpool: dev dependencies) and says it skipped them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { packedInstall, repoRoot, type PackedInstall } from './fixtures/packed-install.js';

let installed: PackedInstall;

before(() => {
  installed = packedInstall('gil-lab-bench-');
  // The tarball has the addon's sources, not its build: borrow this checkout's build of them.
  symlinkSync(path.join(repoRoot, 'build'), path.join(installed.packageDir, 'build'), 'dir');
});

after(() => {
  if (installed) rmSync(installed.project, { recursive: true, force: true });
});

test('the packed package ships the bench suites in dist/ and nothing from dist-dev/', () => {
  for (const file of ['dist/bench/runner.js', 'dist/bench/suites/index.js', 'dist/bench/suites/executors.js']) {
    assert.ok(installed.files.includes(file), `${file} is in the tarball`);
  }
  assert.deepEqual(
    installed.files.filter((f) => f.startsWith('dist-dev/')),
    [],
    'nothing from dist-dev/',
  );
});

test('gil-lab bench floor --quick runs from a packed install (only runtime dependencies)', () => {
  const cli = path.join(installed.packageDir, 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cli, 'bench', 'floor', '--quick', '--json'], {
    cwd: installed.project,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `gil-lab bench failed:\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout) as { suites: Record<string, { cases: { name: string; meanNs: number }[] }> };
  const names = out.suites.floor!.cases.map((c) => c.name).sort();
  assert.deepEqual(names, ['JavaScript noop()', 'Node-API noop()']);
  for (const c of out.suites.floor!.cases) assert.ok(c.meanNs > 0, `${c.name} has a time`);
});

test('the executors suite finds that piscina and workerpool are not installed and names them', () => {
  const script =
    `const m = await import(${JSON.stringify(pathToFileURL(path.join(installed.packageDir, 'dist', 'bench', 'suites', 'executors.js')).href)});` +
    'const peers = await m.loadPeerLibraries();' +
    'console.log(JSON.stringify({ missing: peers.missing, piscina: peers.piscina !== undefined }));';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: installed.project,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { missing: ['piscina', 'workerpool'], piscina: false });
});
