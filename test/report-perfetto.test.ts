import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTraceEventFile, toTraceEventJson, validateTraceEventFile, type TraceEvent } from '#internal/report/perfetto';
import type { LockEvent, LockEventKind } from '#internal/report/types';

function event(us: number, threadId: number, kind: LockEventKind, interpreterId = 0): LockEvent {
  return { tNs: us * 1000, threadId, kind, interpreterId };
}

// Two threads contending for one lock, plus a thread on its own interpreter (PEP 684).
const events: LockEvent[] = [
  event(100, 1, 'acquired'),
  event(110, 2, 'wait-start'),
  event(115, 3, 'acquired', 1),
  event(160, 2, 'drop-request'),
  event(165, 1, 'released'),
  event(165, 2, 'acquired'),
  event(170, 1, 'wait-start'),
  event(220, 2, 'drop-request'),
  event(230, 2, 'released'),
  event(230, 1, 'acquired'),
  event(300, 3, 'released', 1),
];
const labels = [
  { threadId: 1, name: 'main' },
  { threadId: 2, name: 'worker 1' },
  { threadId: 3, name: 'worker 2 (own interpreter)' },
];

test('the trace validates against the Trace Event format', () => {
  const file = JSON.parse(toTraceEventJson(events, { labels, pid: 42 })) as unknown;
  const result = validateTraceEventFile(file);
  assert.deepEqual(result.errors, []);
  assert.equal(result.valid, true);
});

test('one named track per thread, and a named process', () => {
  const file = toTraceEventFile(events, { labels, pid: 42, processName: 'gil-lab cpu-bound' });
  const threadNames = file.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
  assert.deepEqual(
    threadNames.map((e) => [e.tid, e.args?.name]),
    [
      [1, 'main'],
      [2, 'worker 1'],
      [3, 'worker 2 (own interpreter)'],
    ],
  );
  const processName = file.traceEvents.find((e) => e.ph === 'M' && e.name === 'process_name');
  assert.equal(processName?.args?.name, 'gil-lab cpu-bound');
  assert.equal(validateTraceEventFile(file).trackCount, 3);
  for (const e of file.traceEvents) assert.equal(e.pid, 42);
});

test('holding and waiting are complete slices in microseconds', () => {
  const file = toTraceEventFile(events, { labels, pid: 1 });
  const slices = file.traceEvents.filter((e): e is TraceEvent & { ts: number; dur: number } => e.ph === 'X');
  const onTrack = (tid: number): [string, number, number][] =>
    slices.filter((e) => e.tid === tid).map((e) => [e.name, e.ts, e.dur]);
  assert.deepEqual(onTrack(1), [
    ['holding lock', 100, 65],
    ['waiting for lock', 170, 60],
    ['holding lock', 230, 70], // still held when the trace ends: runs to its end
  ]);
  assert.deepEqual(onTrack(2), [
    ['waiting for lock', 110, 55],
    ['holding lock', 165, 65],
  ]);
  assert.deepEqual(onTrack(3), [['holding lock', 115, 185]]);
  assert.equal(slices.find((e) => e.tid === 3)!.args?.interpreterId, 1);
  // Nothing on any track is a slice of "running": an empty track reads as not holding the lock.
  assert.ok(slices.every((e) => e.name !== 'running'));
});

test('drop requests are thread-scoped instant events', () => {
  const file = toTraceEventFile(events, { labels, pid: 1 });
  const instants = file.traceEvents.filter((e) => e.ph === 'i');
  assert.deepEqual(
    instants.map((e) => [e.name, e.tid, e.ts, e.s]),
    [
      ['drop request', 2, 160, 't'],
      ['drop request', 2, 220, 't'],
    ],
  );
});

test('metadata goes to otherData; the default pid is this process', () => {
  const file = toTraceEventFile(events, { metadata: { experiment: 'convoy', cpus: 2 } });
  assert.deepEqual(file.otherData, { experiment: 'convoy', cpus: 2 });
  assert.ok(file.traceEvents.every((e) => e.pid === process.pid));
});

test('the validator catches what viewers reject', () => {
  const meta = [
    { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'p' } },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 5, args: { name: 't' } },
  ];
  const check = (extra: unknown[], pattern: RegExp): void => {
    const result = validateTraceEventFile({ traceEvents: [...meta, ...extra] });
    assert.equal(result.valid, false);
    assert.ok(
      result.errors.some((error) => pattern.test(error)),
      result.errors.join('; '),
    );
  };
  check([{ name: 'x', ph: 'X', pid: 1, tid: 5, ts: 1, dur: 0 }], /dur must be a positive/);
  check([{ name: 'x', ph: 'X', pid: 1, tid: 5, ts: 1 }], /dur must be a positive/);
  check([{ name: 'x', ph: 'B', pid: 1, tid: 5, ts: 1 }], /without an end/);
  check([{ name: 'x', ph: 'E', pid: 1, tid: 5, ts: 1 }], /never began/);
  check(
    [
      { name: 'a', ph: 'B', pid: 1, tid: 5, ts: 1 },
      { name: 'b', ph: 'E', pid: 1, tid: 5, ts: 2 },
    ],
    /ends "b"/,
  );
  check([{ name: 'x', ph: 'X', pid: 1, tid: 6, ts: 1, dur: 1 }], /track 1:6 has 0 thread_name/);
  check(
    [
      { name: 'thread_name', ph: 'M', pid: 1, tid: 5, args: { name: 'again' } },
      { name: 'x', ph: 'i', pid: 1, tid: 5, ts: 1 },
    ],
    /track 1:5 has 2 thread_name/,
  );
  check(
    [
      { name: 'x', ph: 'X', pid: 2, tid: 5, ts: 1, dur: 1 },
      { name: 'thread_name', ph: 'M', pid: 2, tid: 5, args: { name: 't' } },
    ],
    /process 2 has no process_name/,
  );
  check(
    [
      { name: 'a', ph: 'X', pid: 1, tid: 5, ts: 0, dur: 10 },
      { name: 'b', ph: 'X', pid: 1, tid: 5, ts: 5, dur: 10 },
    ],
    /overlaps/,
  );
  check([{ name: 'x', ph: 'Q', pid: 1, tid: 5, ts: 1 }], /not a known phase/);
  check([{ ph: 'i', pid: 1, tid: 5, ts: 1 }], /name must be/);
  check([{ name: 'x', ph: 'i', pid: 1, tid: 5 }], /ts must be/);
  assert.equal(validateTraceEventFile('nope').valid, false);
  // Nested complete slices and matched begin/end pairs are fine.
  const good = validateTraceEventFile({
    traceEvents: [
      ...meta,
      { name: 'outer', ph: 'X', pid: 1, tid: 5, ts: 0, dur: 10 },
      { name: 'inner', ph: 'X', pid: 1, tid: 5, ts: 2, dur: 3 },
      { name: 'b', ph: 'B', pid: 1, tid: 5, ts: 20 },
      { name: 'b', ph: 'E', pid: 1, tid: 5, ts: 25 },
    ],
  });
  assert.deepEqual(good.errors, []);
});

test('an empty trace is still a valid file', () => {
  const result = validateTraceEventFile(toTraceEventFile([], { pid: 3 }));
  assert.equal(result.valid, true);
  assert.equal(result.trackCount, 0);
});

test('bad input throws naming the argument', () => {
  assert.throws(() => toTraceEventFile(events, { pid: -1 }), { name: 'RangeError', message: /options\.pid/ });
  assert.throws(() => toTraceEventFile(events, { processName: 7 as unknown as string }), {
    name: 'TypeError',
    message: /options\.processName/,
  });
  assert.throws(() => toTraceEventFile({} as unknown as LockEvent[]), { name: 'TypeError', message: /events/ });
});
