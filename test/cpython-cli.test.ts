// `gil-lab run <experiment> --against-cpython [PYTHON]`: the --json `cpython` member, and a clear
// "skipped" line (exit 0) for a missing Python, a Python 2, or a twin that fails.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-cpython-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const python = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' });
const noPython = python.error !== undefined || python.stdout.trim() !== '3' ? 'python3 is not on PATH' : false;

function gilLab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 180_000 });
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

/** A fake interpreter: a shell script that answers the version probe, then behaves as told. */
function fakePython(name: string, probe: string, twin: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = "-c" ]; then echo '${probe}'; exit 0; fi\n${twin}\n`);
  chmodSync(file, 0o755);
  return file;
}

interface CpythonJson {
  version: string | null;
  implementation: string | null;
  freeThreaded: boolean | null;
  results: Record<string, unknown>[];
  comparison: { row: string; model: unknown; cpython: unknown; ratio: number | null; agrees: boolean | null }[];
  agrees: boolean | null;
  text: string;
  skipped: boolean;
}

test(
  'run convoy --against-cpython --json carries the CPython version, its rows and the side by side',
  { skip: noPython },
  () => {
    const r = gilLab('run', 'convoy', '--against-cpython', '--json', '--size', 'tiny', '--policy', 'cpython');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { inCpython: string; cpython: CpythonJson };
    assert.match(out.inCpython, /3\.2/);
    const cpython = out.cpython;
    assert.equal(cpython.skipped, false, cpython.text);
    assert.match(cpython.version!, /^3\.\d+\.\d+/);
    assert.equal(typeof cpython.freeThreaded, 'boolean');
    assert.deepEqual(
      cpython.results.map((row) => row.cpuThreads),
      [0, 1, 2, 4],
    );
    assert.equal(cpython.comparison.length, 8);
    for (const row of cpython.comparison) {
      assert.equal(typeof row.model, 'number', row.row);
      assert.equal(typeof row.cpython, 'number', row.row);
      assert.ok(row.ratio! > 0);
      assert.equal(typeof row.agrees, 'boolean');
    }
    assert.equal(
      cpython.agrees,
      cpython.comparison.every((row) => row.agrees),
    );
    assert.match(cpython.text, /^The model (agrees|disagrees) with CPython 3\./);
  },
);

test('a bogus PYTHON: the run succeeds and one line says the comparison was skipped', () => {
  const bogus = path.join(scratch, 'no-such-python');
  const text = gilLab('run', 'startup', '--size', 'tiny', '--against-cpython', bogus);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /This machine (agrees|does not agree)|Not testable here/, 'the model run is reported');
  assert.ok(
    oneLine(text.stdout).includes(
      `The comparison with CPython was skipped: '${bogus}' was not found (no such file or command).`,
    ),
    text.stdout,
  );
  const json = gilLab('run', 'startup', '--size', 'tiny', '--json', '--against-cpython', bogus);
  assert.equal(json.status, 0, json.stderr);
  const cpython = (JSON.parse(json.stdout) as { cpython: CpythonJson }).cpython;
  assert.equal(cpython.skipped, true);
  assert.equal(cpython.agrees, null);
  assert.equal(cpython.version, null);
});

test('a Python 2 is refused with its version, and the run still exits 0', () => {
  const python2 = fakePython(
    'python2',
    '{"major": 2, "minor": 7, "version": "2.7.18", "implementation": "CPython"}',
    'exit 1',
  );
  const r = gilLab('run', 'startup', '--size', 'tiny', '--against-cpython', python2);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    oneLine(r.stdout),
    /comparison with CPython was skipped: '.*python2' is Python 2\.7\.18; the twins need Python 3\.8 or newer/,
  );
});

test('a twin that fails: skipped with the last line of its error, exit 0', () => {
  const failing = fakePython(
    'python-failing',
    '{"major": 3, "minor": 12, "version": "3.12.0", "implementation": "CPython"}',
    'echo "Traceback: boom in the twin" >&2; exit 3',
  );
  const r = gilLab('run', 'startup', '--size', 'tiny', '--json', '--against-cpython', failing);
  assert.equal(r.status, 0, r.stderr);
  const cpython = (JSON.parse(r.stdout) as { cpython: CpythonJson }).cpython;
  assert.equal(cpython.skipped, true);
  assert.equal(cpython.version, '3.12.0');
  assert.match(cpython.text, /the startup twin exited with status 3: Traceback: boom in the twin/);
});

test('tour --against-cpython with a missing Python: every experiment says skipped, in --json and the HTML, exit 0', () => {
  const bogus = path.join(scratch, 'no-such-python');
  const htmlFile = path.join(scratch, 'tour.html');
  const r = spawnSync(
    process.execPath,
    [cli, 'tour', '--size', 'tiny', '--workers', '2', '--json', '--html', htmlFile, '--against-cpython', bogus],
    { encoding: 'utf8', timeout: 240_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    experiments: { experiment: string; inCpython: string; cpython: CpythonJson }[];
  };
  assert.equal(out.experiments.length, 10);
  for (const experiment of out.experiments) {
    assert.equal(experiment.cpython.skipped, true, experiment.experiment);
    assert.match(experiment.cpython.text, /was not found/);
  }
  const html = readFileSync(htmlFile, 'utf8');
  assert.equal(html.match(/The comparison with CPython was skipped/g)?.length, 10);
  assert.equal(html.match(/In CPython: /g)?.length, 10);
});
