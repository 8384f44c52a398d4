// What the experiments say about CPython: every experiment names the Python versions and PEPs its
// claim is about; rows that exist only in Node (ipc, kill) are labelled "Node" with the Python fact
// next to them; convoy states its claim as measured (about an interval per CPU thread per operation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  experiments,
  ipcVerdict,
  killVerdict,
  renderResultText,
  toJson,
  type ExperimentResult,
  type IpcRow,
  type KillRow,
} from '#internal/experiments/index';

function result(name: string, rows: ExperimentResult['rows'], text = ''): ExperimentResult {
  return {
    experiment: name,
    options: { workers: 2, size: 'tiny', kernel: 'countPrimes', trace: false, sweep: false },
    rows,
    verdict: { holds: true, text },
    charts: [],
    elapsedSeconds: 0,
  };
}

const find = (name: string) => experiments.find((e) => e.name === name)!;

test('every experiment has an "In CPython" line naming a Python version, in the --json too', () => {
  for (const experiment of experiments) {
    const line = (experiment as { inCpython?: unknown }).inCpython;
    assert.equal(typeof line, 'string', `${experiment.name} has no inCpython line`);
    assert.match(line as string, /\b(2|3)\.\d+\b/, `${experiment.name}: no Python version named`);
    assert.equal(toJson(experiment, result(experiment.name, [])).inCpython, line);
  }
  const all = experiments.map((e) => (e as { inCpython?: string }).inCpython ?? '').join(' ');
  for (const named of ['3.2', 'PEP 684', 'PEP 703', 'PEP 734', 'PEP 779', 'forkserver'])
    assert.ok(all.includes(named), `no experiment names ${named}`);
});

test('ipc: copying or transferring to a thread is labelled Node, with the Python fact next to it', () => {
  const rows: IpcRow[] = [
    { method: 'thread copy', payloadBytes: 1024, seconds: 0.001, gbPerSecond: 1 },
    { method: 'thread transfer', payloadBytes: 1024, seconds: 0.001, gbPerSecond: 1 },
    { method: 'thread SharedArrayBuffer', payloadBytes: 1024, seconds: 0.001, gbPerSecond: 1 },
    { method: 'process advanced', payloadBytes: 1024, seconds: 0.01, gbPerSecond: 0.1 },
    { method: 'process SharedMemory', payloadBytes: 1024, seconds: 0.001, gbPerSecond: 1 },
  ];
  const text = renderResultText(find('ipc'), result('ipc', rows, ipcVerdict(rows).text), { timelines: false });
  assert.match(text, /thread copy \(Node\)/);
  assert.match(text, /thread transfer \(Node\)/);
  assert.doesNotMatch(text, /thread SharedArrayBuffer \(Node\)/);
  assert.match(text, /in Python/);
  assert.match(text.replace(/\s+/g, ' '), /a copy to a thread \(Node; a Python thread shares the object: no copy\)/);
});

test('kill: terminating a thread and Future.abort() are labelled Node; a Python thread cannot be killed', () => {
  const rows: KillRow[] = [
    { method: 'AbortSignal', target: 't', stopMs: 0.3, remainingMs: 250, outcome: 'stopped' },
    { method: 'Future.abort()', target: 't', stopMs: 1, remainingMs: 250, outcome: 'stopped' },
    { method: 'worker.terminate()', target: 't', stopMs: 250, remainingMs: 250, outcome: 'ran to completion' },
    { method: 'SIGKILL', target: 'p', stopMs: 3, remainingMs: 250, outcome: 'stopped' },
  ];
  const text = renderResultText(find('kill'), result('kill', rows, killVerdict(rows).text), { timelines: false });
  assert.match(text, /Future\.abort\(\) \(Node\)/);
  assert.match(text, /worker\.terminate\(\) \(Node\)/);
  assert.match(text, /Process\.kill\(\)/);
  assert.match(text.replace(/\s+/g, ' '), /In Python a Python thread cannot be killed, only asked to stop/);
  assert.match(find('kill').claim, /cannot be killed at all, only asked to stop/);
});

test('convoy states its claim as measured: about one switch interval per CPU thread, and load matters', () => {
  const convoy = find('convoy');
  assert.doesNotMatch(convoy.claim, /up to a switch interval/);
  assert.match(convoy.claim, /one switch interval per CPU thread/);
  assert.match(convoy.narrative, /depends on load/);
});
