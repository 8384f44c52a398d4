// `run cpu-bound --trace t.json --svg c.svg`: a valid Trace Event file with a track per thread,
// and a standalone SVG that parses and carries its labels.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { report } from 'gil-lab';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-trace-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('--trace and --svg write a valid trace and a labelled chart', () => {
  const traceFile = path.join(scratch, 't.json');
  const svgFile = path.join(scratch, 'c.svg');
  const r = spawnSync(
    process.execPath,
    [cli, 'run', 'cpu-bound', '--size', 'tiny', '--workers', '2', '--trace', traceFile, '--svg', svgFile],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*t\.json \(\d+ thread tracks/);

  const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as {
    traceEvents: { ph: string; name: string; pid: number; tid: number; args?: { name?: string } }[];
  };
  const validation = report.validateTraceEventFile(trace);
  assert.deepEqual(validation.errors, []);
  // One process per traced run, a named track for each worker thread in it.
  const processes = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name');
  // The threads-hold run itself, not js-threads-hold (whose name contains it too).
  const isThreadsHold = (p: { args?: { name?: string } }) => /^cpu-bound: threads-hold,/.test(p.args?.name ?? '');
  assert.equal(processes.filter(isThreadsHold).length, 1);
  const holdPid = processes.find(isThreadsHold)!.pid;
  const threadNames = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === holdPid);
  assert.deepEqual(threadNames.map((t) => t.args?.name).sort(), ['worker 1', 'worker 2']);
  const holding = trace.traceEvents.filter((e) => e.ph === 'X' && e.pid === holdPid && e.name === 'holding lock');
  assert.equal(new Set(holding.map((e) => e.tid)).size, 2, 'both workers held the lock');
  assert.ok(validation.trackCount >= 4);

  const svg = readFileSync(svgFile, 'utf8');
  assert.equal(XMLValidator.validate(svg), true);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg) as { svg?: unknown };
  assert.ok(parsed.svg);
  for (const label of [
    'Speedup vs workers',
    'workers',
    'speedup over serial (×)',
    'threads-hold',
    'threads-release',
    'processes',
    'subinterpreters',
    'free-threaded',
    'ideal',
    'holding the lock',
    'waiting for the lock',
  ]) {
    assert.ok(svg.includes(label), `the SVG lacks "${label}"`);
  }
});
