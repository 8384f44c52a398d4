import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTimeline, MIN_TIMELINE_WIDTH } from '#internal/report/timeline';
import type { LockEvent, LockEventKind, ThreadLabel } from '#internal/report/types';

const MS = 1_000_000;

function event(ms: number, threadId: number, kind: LockEventKind): LockEvent {
  return { tNs: ms * MS, threadId, kind, interpreterId: 0 };
}

// Three threads sharing one lock over 10 ms: main holds from before the trace began (its first event
// is a release), worker 2 appears only at 7 ms and still holds the lock when the trace ends.
const events: LockEvent[] = [
  event(0, 2, 'wait-start'),
  event(2, 1, 'released'),
  event(2, 2, 'acquired'),
  event(3, 1, 'wait-start'),
  event(5, 1, 'drop-request'),
  event(6, 2, 'released'),
  event(6, 1, 'acquired'),
  event(7, 3, 'wait-start'),
  event(9, 1, 'released'),
  event(9, 3, 'acquired'),
  event(10, 1, 'wait-start'),
];
const labels: ThreadLabel[] = [
  { threadId: 1, name: 'main' },
  { threadId: 2, name: 'worker 1' },
  { threadId: 3, name: 'worker 2' },
];

function visibleLength(line: string): number {
  return Array.from(line.replace(/\x1b\[[0-9;]*m/g, '')).length;
}

test('a small case renders exactly: rows, axis with units, legend', () => {
  // width 51 = name 8 + " │" + 20 cells + "│" + totals 20, so each cell is exactly 0.5 ms.
  const text = renderTimeline(events, { labels, width: 51, colour: false });
  const expected = [
    'main     │████░░▒▒▒▒▒▒██████░░│ held  50% wait  30%',
    'worker 1 │▒▒▒▒████████░░░░░░░░│ held  40% wait  20%',
    'worker 2 │              ▒▒▒▒██│ held  10% wait  20%',
    '         └┬─────────┬────────┬┘',
    '          0 ms      5 ms  10 ms',
    '█ holding the lock   ▒ waiting for it',
    '░ running without it   1 drop request',
  ].join('\n');
  assert.equal(text, expected);
});

test('a title goes on the first line', () => {
  const text = renderTimeline(events, { labels, width: 51, colour: false, title: 'cpu-bound, threads-hold' });
  assert.equal(text.split('\n')[0], 'cpu-bound, threads-hold');
});

test('every line fits the width, from the minimum up', () => {
  for (const width of [MIN_TIMELINE_WIDTH, 25, 33, 51, 80, 132, 200]) {
    const lines = renderTimeline(events, { labels, width, colour: false }).split('\n');
    for (const line of lines)
      assert.ok(visibleLength(line) <= width, `width ${width}: "${line}" is ${visibleLength(line)} long`);
    // The rows and the axis line span the same cells.
    const axis = lines.find((line) => line.includes('└'))!;
    assert.equal(lines[0]!.indexOf('│'), axis.indexOf('└'));
    assert.equal(lines[0]!.lastIndexOf('│'), axis.indexOf('┘'));
  }
});

test('wider output has more time cells; narrow output drops the totals first', () => {
  const cells = (width: number): number => {
    const row = renderTimeline(events, { labels, width, colour: false }).split('\n')[0]!;
    return row.lastIndexOf('│') - row.indexOf('│') - 1;
  };
  assert.ok(cells(120) > cells(80));
  assert.ok(cells(80) > cells(51));
  const narrow = renderTimeline(events, { labels, width: 30, colour: false });
  assert.ok(!narrow.includes('held'));
  assert.ok(renderTimeline(events, { labels, width: 80, colour: false }).includes('held'));
});

test('the default width is the terminal width, or 80 when not a terminal', () => {
  const columns = process.stdout.isTTY ? process.stdout.columns : 80;
  for (const line of renderTimeline(events, { labels, colour: false }).split('\n'))
    assert.ok(visibleLength(line) <= columns);
});

test('no colour codes when colour is off; codes per state when on', () => {
  const plain = renderTimeline(events, { labels, width: 60, colour: false });
  assert.ok(!plain.includes('\x1b'));
  const coloured = renderTimeline(events, { labels, width: 60, colour: true });
  assert.ok(coloured.includes('\x1b[32m█'));
  assert.ok(coloured.includes('\x1b[31m▒'));
  assert.ok(coloured.includes('\x1b[34m░'));
  // Colour changes nothing else.
  assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ''), plain);
});

test('threads without a label are named by id, and names are cut to fit', () => {
  const text = renderTimeline(events, { width: 60, colour: false });
  assert.match(text, /^thread 2 /m);
  const long = renderTimeline(events, {
    width: 60,
    colour: false,
    labels: [{ threadId: 1, name: 'a very long thread name indeed, too long' }],
  });
  assert.match(long, /^a very long thread … │/m);
});

test('a clip window shows only that part of the trace', () => {
  // From 6 to 8 ms main holds throughout, worker 1 runs without the lock.
  const text = renderTimeline(events, { labels, width: 51, colour: false, startNs: 6 * MS, endNs: 8 * MS });
  const rows = text.split('\n');
  assert.match(rows[0]!, /^main +│█{20}│ held 100% wait {3}0%$/);
  assert.match(rows[1]!, /^worker 1 │░{20}│/);
  assert.match(rows[2]!, /^worker 2 │ {10}▒{10}│/);
});

test('no events gives a message, not an empty picture', () => {
  assert.equal(renderTimeline([], { width: 60, colour: false }), '(no lock events in this window)');
});

test('bad input throws naming the argument', () => {
  assert.throws(() => renderTimeline(events, { width: MIN_TIMELINE_WIDTH - 1 }), {
    name: 'RangeError',
    message: /options\.width/,
  });
  assert.throws(() => renderTimeline(events, { width: 50.5 }), { name: 'RangeError', message: /options\.width/ });
  assert.throws(() => renderTimeline(events, { width: '80' as unknown as number }), {
    name: 'TypeError',
    message: /options\.width/,
  });
  assert.throws(() => renderTimeline('x' as unknown as LockEvent[]), { name: 'TypeError', message: /events/ });
  assert.throws(() => renderTimeline([{ tNs: 0, threadId: 1, kind: 'grab' as LockEventKind, interpreterId: 0 }]), {
    name: 'TypeError',
    message: /events\[0\]\.kind/,
  });
});
