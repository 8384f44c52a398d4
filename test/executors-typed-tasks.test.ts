// submit/submitWith/map are typed from the kernel table and through taskOf: the fixture
// test/fixtures/typed-tasks/typed-tasks.ts type-checks, and each of its `@ts-expect-error` lines is
// an error (without the marker, tsc reports one error per such line); taskOf makes a plain task.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { taskOf, ThreadPoolExecutor } from 'gil-lab';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(root, 'test', 'fixtures', 'typed-tasks');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function typeCheck(dir: string, file: string): { status: number | null; output: string } {
  const args = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  args.push('--target', 'es2022', '--types', 'node', '--skipLibCheck', '--ignoreConfig', file);
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('the typed-task fixture type-checks: right calls typed, every wrong one an error', () => {
  const r = typeCheck(fixtures, 'typed-tasks.ts');
  assert.equal(r.status, 0, `tsc failed:\n${r.output}`);
});

test('without their markers, each expected error is reported (the fixture can fail)', () => {
  const source = readFileSync(path.join(fixtures, 'typed-tasks.ts'), 'utf8');
  const marked = source.split('\n').filter((line) => line.trim().startsWith('// @ts-expect-error')).length;
  assert.ok(marked >= 10, `the fixture has ${marked} marked lines`);
  // Beside the fixture, so that 'gil-lab' and './work.js' resolve the same way.
  const dir = mkdtempSync(path.join(fixtures, 'unmarked-'));
  try {
    const stripped = source.replaceAll('// @ts-expect-error', '// expected:');
    writeFileSync(path.join(dir, 'typed-tasks.ts'), stripped.replaceAll("'./work.js'", "'../work.js'"));
    const r = typeCheck(dir, 'typed-tasks.ts');
    const errors = r.output.split('\n').filter((line) => /error TS\d+/.test(line)).length;
    assert.equal(errors, marked, r.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('taskOf makes a plain module task that a pool runs', async () => {
  const fib = taskOf<(n: number) => number>(new URL('./fixtures/executor-tasks.js', import.meta.url), 'square');
  assert.deepEqual(Object.keys(fib).sort(), ['export', 'module']);
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    assert.equal(await pool.submit(fib, 7), 49);
  } finally {
    await pool.shutdown();
  }
});
