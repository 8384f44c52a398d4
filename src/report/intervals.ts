// Turns the lock's flat event trace into per-thread intervals of state, the common input of every
// picture (terminal timeline, SVG timeline, Perfetto slices).
//
// The trace is a bounded buffer, so it may begin while a thread already holds the lock and end while
// threads still hold it or wait for it; events may even be missing. The reconstruction is therefore
// forgiving: a thread whose first event is `released` is taken to have held the lock since before the
// trace began, open intervals run to the end of the window, and impossible transitions (a release
// while waiting: the acquire was lost) move to the state the event implies instead of failing.
import { LOCK_EVENT_KINDS, type LockEvent, type ThreadLabel } from './types.js';

/** What a thread is doing with respect to the lock. `running` = running without the lock (released). */
export type ThreadState = 'holding' | 'waiting' | 'running';

export const THREAD_STATES: readonly ThreadState[] = ['holding', 'waiting', 'running'];

export interface ThreadInterval {
  state: ThreadState;
  startNs: number;
  endNs: number;
  /** The interpreter whose lock the event that opened this interval was about. */
  interpreterId: number;
}

export interface ThreadTrack {
  threadId: number;
  name: string;
  /** Disjoint, in time order, clipped to the window, each longer than zero. */
  intervals: ThreadInterval[];
  /** Times of this thread's drop-request events inside the window. */
  dropRequestsNs: number[];
  /** Nanoseconds spent in each state inside the window. */
  totalsNs: Record<ThreadState, number>;
  /** Number of `acquired` events inside the window. */
  acquisitions: number;
}

export interface LockTimeline {
  startNs: number;
  endNs: number;
  tracks: ThreadTrack[];
}

export interface IntervalOptions {
  /** Names for threads; labelled threads come first, in this order, even without events. */
  labels?: readonly ThreadLabel[];
  /** Clip window start (ns, same origin as the events); default: the first event. */
  startNs?: number;
  /** Clip window end; default: the last event. */
  endNs?: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : String(typeof value);
}

/** Checks a lock event list; throws TypeError/RangeError naming the offending element and field. */
export function validateLockEvents(events: unknown, argName = 'events'): asserts events is LockEvent[] {
  if (!Array.isArray(events))
    throw new TypeError(`${argName} must be an array of lock events, got ${describe(events)}`);
  events.forEach((event: unknown, index) => {
    const where = `${argName}[${index}]`;
    if (typeof event !== 'object' || event === null)
      throw new TypeError(`${where} must be an object, got ${describe(event)}`);
    const record = event as Record<string, unknown>;
    if (typeof record.tNs !== 'number')
      throw new TypeError(`${where}.tNs must be a number, got ${describe(record.tNs)}`);
    if (!Number.isFinite(record.tNs)) throw new RangeError(`${where}.tNs must be finite, got ${record.tNs}`);
    for (const key of ['threadId', 'interpreterId'] as const) {
      const value = record[key];
      if (typeof value !== 'number') throw new TypeError(`${where}.${key} must be a number, got ${describe(value)}`);
      if (!Number.isInteger(value) || value < 0)
        throw new RangeError(`${where}.${key} must be a non-negative integer, got ${value}`);
    }
    if (typeof record.kind !== 'string' || !(LOCK_EVENT_KINDS as readonly string[]).includes(record.kind)) {
      throw new TypeError(`${where}.kind must be one of ${LOCK_EVENT_KINDS.join(', ')}, got ${describe(record.kind)}`);
    }
  });
}

/** Checks a thread label list; throws TypeError/RangeError naming the offending element. */
export function validateThreadLabels(labels: unknown, argName = 'labels'): asserts labels is ThreadLabel[] {
  if (!Array.isArray(labels))
    throw new TypeError(`${argName} must be an array of { threadId, name }, got ${describe(labels)}`);
  labels.forEach((label: unknown, index) => {
    const where = `${argName}[${index}]`;
    if (typeof label !== 'object' || label === null)
      throw new TypeError(`${where} must be an object, got ${describe(label)}`);
    const record = label as Record<string, unknown>;
    if (typeof record.threadId !== 'number')
      throw new TypeError(`${where}.threadId must be a number, got ${describe(record.threadId)}`);
    if (!Number.isInteger(record.threadId) || record.threadId < 0) {
      throw new RangeError(`${where}.threadId must be a non-negative integer, got ${record.threadId}`);
    }
    if (typeof record.name !== 'string')
      throw new TypeError(`${where}.name must be a string, got ${describe(record.name)}`);
  });
}

function checkWindowBound(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${value}`);
  return value;
}

interface OpenState {
  state: ThreadState | null;
  sinceNs: number;
  interpreterId: number;
}

/**
 * Reconstructs each thread's holding / waiting / running intervals from a lock event trace, clipped to
 * a window. Events outside the window still drive the state, so a hold that began before the window
 * shows as holding from the window's start.
 */
export function buildLockTimeline(events: readonly LockEvent[], options: IntervalOptions = {}): LockTimeline {
  validateLockEvents(events);
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  const labels = options.labels ?? [];
  validateThreadLabels(labels, 'options.labels');
  const requestedStart = checkWindowBound(options.startNs, 'options.startNs');
  const requestedEnd = checkWindowBound(options.endNs, 'options.endNs');

  // Stable sort: merged per-thread buffers may interleave out of order; equal times keep input order.
  const ordered = events.map((event, index) => ({ event, index }));
  ordered.sort((a, b) => a.event.tNs - b.event.tNs || a.index - b.index);

  const firstNs = ordered.length > 0 ? ordered[0]!.event.tNs : 0;
  const lastNs = ordered.length > 0 ? ordered[ordered.length - 1]!.event.tNs : 0;
  const startNs = requestedStart ?? (requestedEnd !== undefined ? Math.min(firstNs, requestedEnd) : firstNs);
  let endNs = requestedEnd ?? Math.max(lastNs, startNs);
  if (endNs < startNs) throw new RangeError(`options.endNs (${endNs}) must not be before options.startNs (${startNs})`);
  // A trace of one instant still needs a window with some width to draw in.
  if (endNs === startNs && requestedEnd === undefined) endNs = startNs + 1;

  const names = new Map<number, string>();
  const trackOrder: number[] = [];
  for (const label of labels) {
    if (!names.has(label.threadId)) trackOrder.push(label.threadId);
    names.set(label.threadId, label.name);
  }
  const tracks = new Map<number, ThreadTrack>();
  const open = new Map<number, OpenState>();
  const trackFor = (threadId: number): ThreadTrack => {
    let track = tracks.get(threadId);
    if (!track) {
      track = {
        threadId,
        name: names.get(threadId) ?? `thread ${threadId}`,
        intervals: [],
        dropRequestsNs: [],
        totalsNs: { holding: 0, waiting: 0, running: 0 },
        acquisitions: 0,
      };
      tracks.set(threadId, track);
      if (!names.has(threadId)) trackOrder.push(threadId);
    }
    return track;
  };
  for (const threadId of trackOrder.slice()) trackFor(threadId);

  const close = (track: ThreadTrack, current: OpenState, atNs: number): void => {
    if (current.state === null) return;
    const from = Math.max(current.sinceNs, startNs);
    const to = Math.min(atNs, endNs);
    if (to <= from) return;
    const previous = track.intervals[track.intervals.length - 1];
    // Adjacent intervals in the same state (e.g. a duplicate event) read as one.
    if (
      previous &&
      previous.state === current.state &&
      previous.endNs === from &&
      previous.interpreterId === current.interpreterId
    ) {
      previous.endNs = to;
    } else {
      track.intervals.push({ state: current.state, startNs: from, endNs: to, interpreterId: current.interpreterId });
    }
    track.totalsNs[current.state] += to - from;
  };
  const moveTo = (
    track: ThreadTrack,
    current: OpenState,
    state: ThreadState,
    atNs: number,
    interpreterId: number,
  ): void => {
    if (current.state === state) return;
    close(track, current, atNs);
    current.state = state;
    current.sinceNs = atNs;
    current.interpreterId = interpreterId;
  };

  for (const { event } of ordered) {
    const track = trackFor(event.threadId);
    let current = open.get(event.threadId);
    const firstEventOfThread = current === undefined;
    if (!current) {
      current = { state: null, sinceNs: event.tNs, interpreterId: event.interpreterId };
      open.set(event.threadId, current);
    }
    const t = event.tNs;
    switch (event.kind) {
      case 'wait-start':
        moveTo(track, current, 'waiting', t, event.interpreterId);
        break;
      case 'acquired':
        if (t >= startNs && t <= endNs) track.acquisitions += 1;
        moveTo(track, current, 'holding', t, event.interpreterId);
        break;
      case 'released':
        if (firstEventOfThread) {
          // The trace began mid-hold: this thread held the lock since before the first record.
          current.state = 'holding';
          current.sinceNs = -Infinity;
        }
        moveTo(track, current, 'running', t, event.interpreterId);
        break;
      case 'drop-request':
        if (t >= startNs && t <= endNs) track.dropRequestsNs.push(t);
        break;
    }
  }
  // Unclosed at the end of the trace: the state lasts to the end of the window.
  for (const [threadId, current] of open) close(tracks.get(threadId)!, current, Infinity);

  return { startNs, endNs, tracks: trackOrder.map((threadId) => tracks.get(threadId)!) };
}

/**
 * Divides [startNs, endNs) into `columns` equal cells and gives each the state the thread spent most
 * of that cell in (ties: holding, then waiting, then running), or null where nothing is known. Shared
 * by the terminal and SVG timelines so both show the same picture at their resolution.
 */
/** The most columns a timeline is binned into (one array element each). */
export const MAX_COLUMNS = 100_000;

export function binTrack(track: ThreadTrack, startNs: number, endNs: number, columns: number): (ThreadState | null)[] {
  if (!Number.isInteger(columns) || columns < 1 || columns > MAX_COLUMNS)
    throw new RangeError(`columns must be an integer between 1 and ${MAX_COLUMNS}, got ${columns}`);
  if (!Number.isFinite(startNs) || !Number.isFinite(endNs) || endNs <= startNs) {
    throw new RangeError(`the window [${startNs}, ${endNs}) must be finite and non-empty`);
  }
  const span = endNs - startNs;
  const cells: (ThreadState | null)[] = [];
  let first = 0; // first interval that may still overlap the current cell
  for (let column = 0; column < columns; column++) {
    const cellStart = startNs + (span * column) / columns;
    const cellEnd = startNs + (span * (column + 1)) / columns;
    const coverage: Record<ThreadState, number> = { holding: 0, waiting: 0, running: 0 };
    while (first < track.intervals.length && track.intervals[first]!.endNs <= cellStart) first++;
    for (let i = first; i < track.intervals.length; i++) {
      const interval = track.intervals[i]!;
      if (interval.startNs >= cellEnd) break;
      const overlap = Math.min(interval.endNs, cellEnd) - Math.max(interval.startNs, cellStart);
      if (overlap > 0) coverage[interval.state] += overlap;
    }
    let best: ThreadState | null = null;
    for (const state of THREAD_STATES) {
      if (coverage[state] > 0 && (best === null || coverage[state] > coverage[best])) best = state;
    }
    cells.push(best);
  }
  return cells;
}
