import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binTrack, buildLockTimeline } from '#internal/report/intervals';
import type { LockEvent, LockEventKind } from '#internal/report/types';

function event(tNs: number, threadId: number, kind: LockEventKind, interpreterId = 0): LockEvent {
  return { tNs, threadId, kind, interpreterId };
}

function spans(events: LockEvent[], threadId: number, options = {}): [string, number, number][] {
  const track = buildLockTimeline(events, options).tracks.find((t) => t.threadId === threadId)!;
  return track.intervals.map((interval) => [interval.state, interval.startNs, interval.endNs]);
}

test('wait, acquire, release become waiting, holding, running', () => {
  const events = [
    event(0, 1, 'wait-start'),
    event(10, 1, 'acquired'),
    event(30, 1, 'released'),
    event(50, 2, 'acquired'),
  ];
  assert.deepEqual(spans(events, 1), [
    ['waiting', 0, 10],
    ['holding', 10, 30],
    ['running', 30, 50],
  ]);
  const timeline = buildLockTimeline(events);
  assert.equal(timeline.startNs, 0);
  assert.equal(timeline.endNs, 50);
  assert.deepEqual(timeline.tracks[0]!.totalsNs, { holding: 20, waiting: 10, running: 20 });
  assert.equal(timeline.tracks[0]!.acquisitions, 1);
});

test('a trace that starts mid-hold: a first release means held since the start', () => {
  const events = [
    event(0, 2, 'wait-start'),
    event(40, 1, 'released'),
    event(40, 2, 'acquired'),
    event(100, 2, 'released'),
  ];
  assert.deepEqual(spans(events, 1), [
    ['holding', 0, 40],
    ['running', 40, 100],
  ]);
});

test('a trace that ends unclosed: open states last to the end of the window', () => {
  const events = [event(0, 1, 'acquired'), event(5, 2, 'wait-start'), event(20, 3, 'acquired')];
  assert.deepEqual(spans(events, 1), [['holding', 0, 20]]);
  assert.deepEqual(spans(events, 2), [['waiting', 5, 20]]);
  assert.deepEqual(spans(events, 1, { endNs: 30 }), [['holding', 0, 30]]);
});

test('before a thread is first seen nothing is claimed', () => {
  const events = [event(0, 1, 'acquired'), event(50, 2, 'acquired'), event(60, 2, 'released')];
  assert.deepEqual(spans(events, 2), [['holding', 50, 60]]);
  const track = buildLockTimeline(events).tracks[1]!;
  assert.deepEqual(binTrack(track, 0, 60, 6), [null, null, null, null, null, 'holding']);
});

test('the clip window cuts intervals; events before it still set the state', () => {
  const events = [
    event(0, 1, 'acquired'),
    event(100, 1, 'released'),
    event(100, 2, 'acquired'),
    event(200, 2, 'released'),
  ];
  const timeline = buildLockTimeline(events, { startNs: 50, endNs: 150 });
  assert.equal(timeline.startNs, 50);
  assert.equal(timeline.endNs, 150);
  assert.deepEqual(spans(events, 1, { startNs: 50, endNs: 150 }), [
    ['holding', 50, 100],
    ['running', 100, 150],
  ]);
  assert.deepEqual(spans(events, 2, { startNs: 50, endNs: 150 }), [['holding', 100, 150]]);
  assert.equal(timeline.tracks[1]!.acquisitions, 1);
  assert.equal(buildLockTimeline(events, { startNs: 150 }).tracks[0]!.acquisitions, 0);
});

test('unsorted input is ordered by time; drop requests are kept per thread', () => {
  const events = [
    event(30, 1, 'released'),
    event(0, 1, 'acquired'),
    event(5, 2, 'wait-start'),
    event(10, 2, 'drop-request'),
    event(30, 2, 'acquired'),
  ];
  assert.deepEqual(spans(events, 1), [['holding', 0, 30]]);
  assert.deepEqual(buildLockTimeline(events).tracks.find((t) => t.threadId === 2)!.dropRequestsNs, [10]);
});

test('lost events are survived: release while waiting, duplicate acquire', () => {
  const events = [
    event(0, 1, 'wait-start'),
    event(10, 1, 'released'),
    event(20, 1, 'acquired'),
    event(25, 1, 'acquired'),
    event(40, 1, 'released'),
  ];
  assert.deepEqual(spans(events, 1), [
    ['waiting', 0, 10],
    ['running', 10, 20],
    ['holding', 20, 40],
  ]);
});

test('labelled threads come first in label order, even without events', () => {
  const events = [event(0, 7, 'acquired'), event(1, 5, 'wait-start')];
  const timeline = buildLockTimeline(events, {
    labels: [
      { threadId: 9, name: 'idle' },
      { threadId: 5, name: 'five' },
    ],
  });
  assert.deepEqual(
    timeline.tracks.map((t) => [t.threadId, t.name]),
    [
      [9, 'idle'],
      [5, 'five'],
      [7, 'thread 7'],
    ],
  );
  assert.deepEqual(timeline.tracks[0]!.intervals, []);
});

test('binTrack picks the state that fills most of each cell', () => {
  const events = [
    event(0, 1, 'acquired'),
    event(7, 1, 'released'),
    event(8, 1, 'wait-start'),
    event(10, 1, 'acquired'),
    event(12, 2, 'acquired'),
  ];
  const track = buildLockTimeline(events).tracks[0]!;
  // Cells of 4 ns: [0,4) holding; [4,8) 3 holding + 1 running; [8,12) 2 waiting + 2 holding -> tie -> holding.
  assert.deepEqual(binTrack(track, 0, 12, 3), ['holding', 'holding', 'holding']);
  assert.deepEqual(binTrack(track, 0, 12, 12), [
    'holding',
    'holding',
    'holding',
    'holding',
    'holding',
    'holding',
    'holding',
    'running',
    'waiting',
    'waiting',
    'holding',
    'holding',
  ]);
  assert.throws(() => binTrack(track, 0, 12, 0), RangeError);
  assert.throws(() => binTrack(track, 5, 5, 3), RangeError);
});

test('bad input throws naming the argument', () => {
  assert.throws(() => buildLockTimeline(null as unknown as LockEvent[]), { name: 'TypeError', message: /^events/ });
  assert.throws(() => buildLockTimeline([{ tNs: Number.NaN, threadId: 1, kind: 'acquired', interpreterId: 0 }]), {
    name: 'RangeError',
    message: /events\[0\]\.tNs/,
  });
  assert.throws(() => buildLockTimeline([{ tNs: 1, threadId: -1, kind: 'acquired', interpreterId: 0 }]), {
    name: 'RangeError',
    message: /events\[0\]\.threadId/,
  });
  assert.throws(() => buildLockTimeline([{ tNs: 1, threadId: 1, kind: 'acquired' } as unknown as LockEvent]), {
    name: 'TypeError',
    message: /events\[0\]\.interpreterId/,
  });
  assert.throws(() => buildLockTimeline([], { startNs: 10, endNs: 5 }), {
    name: 'RangeError',
    message: /options\.endNs/,
  });
  assert.throws(() => buildLockTimeline([], { labels: [{ threadId: 1 }] as never }), {
    name: 'TypeError',
    message: /options\.labels\[0\]\.name/,
  });
});
