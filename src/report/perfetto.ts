// Lock events as a Chrome / Perfetto "Trace Event Format" JSON file (the format ui.perfetto.dev and
// chrome://tracing open): process and thread name metadata, one track per thread, a complete (`X`)
// slice for every interval of holding or waiting, and a thread-scoped instant (`i`) for every drop
// request. Timestamps are microseconds, as the format requires; fractions keep ns precision.
import { buildLockTimeline, type IntervalOptions } from './intervals.js';
import type { LockEvent } from './types.js';

export type TraceEventPhase = 'X' | 'B' | 'E' | 'i' | 'I' | 'M' | 'C';

export interface TraceEvent {
  name: string;
  ph: TraceEventPhase;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

export interface TraceEventFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData?: Record<string, string | number | boolean>;
}

export interface PerfettoOptions extends IntervalOptions {
  /** The name of the process track (default "gil-lab"). */
  processName?: string;
  /** The pid written into every event (default: this process's pid). */
  pid?: number;
  /** Free-form key/values stored in `otherData` (experiment, machine, …). */
  metadata?: Record<string, string | number | boolean>;
}

export const TRACE_CATEGORY = 'gil';

/** Builds the Trace Event file for a lock event trace. */
export function toTraceEventFile(events: readonly LockEvent[], options: PerfettoOptions = {}): TraceEventFile {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const pid = options.pid ?? process.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0)
    throw new RangeError(`options.pid must be a non-negative integer, got ${String(pid)}`);
  const processName = options.processName ?? 'gil-lab';
  if (typeof processName !== 'string') throw new TypeError('options.processName must be a string');
  if (options.metadata !== undefined && (typeof options.metadata !== 'object' || options.metadata === null)) {
    throw new TypeError('options.metadata must be an object');
  }

  const timeline = buildLockTimeline(events, options);
  const microseconds = (ns: number): number => ns / 1000;
  const traceEvents: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: processName } }];
  timeline.tracks.forEach((track, index) => {
    traceEvents.push({ name: 'thread_name', ph: 'M', pid, tid: track.threadId, args: { name: track.name } });
    // Keeps the tracks in the order the caller labelled them (main thread first), not by tid.
    traceEvents.push({ name: 'thread_sort_index', ph: 'M', pid, tid: track.threadId, args: { sort_index: index } });
  });
  for (const track of timeline.tracks) {
    for (const interval of track.intervals) {
      if (interval.state === 'running') continue; // no slice: the empty track reads as "released"
      traceEvents.push({
        name: interval.state === 'holding' ? 'holding lock' : 'waiting for lock',
        cat: TRACE_CATEGORY,
        ph: 'X',
        pid,
        tid: track.threadId,
        ts: microseconds(interval.startNs),
        // ts + dur must land exactly on the next slice's ts: subtract the converted ends, not convert the difference.
        dur: microseconds(interval.endNs) - microseconds(interval.startNs),
        args: { interpreterId: interval.interpreterId },
      });
    }
    for (const atNs of track.dropRequestsNs) {
      traceEvents.push({
        name: 'drop request',
        cat: TRACE_CATEGORY,
        ph: 'i',
        s: 't',
        pid,
        tid: track.threadId,
        ts: microseconds(atNs),
      });
    }
  }
  const file: TraceEventFile = { traceEvents, displayTimeUnit: 'ns' };
  if (options.metadata) file.otherData = { ...options.metadata };
  return file;
}

/** The Trace Event file as JSON text. */
export function toTraceEventJson(events: readonly LockEvent[], options: PerfettoOptions = {}): string {
  return JSON.stringify(toTraceEventFile(events, options));
}

const KNOWN_PHASES = new Set([
  'B',
  'E',
  'X',
  'i',
  'I',
  'M',
  'C',
  'b',
  'e',
  'n',
  's',
  't',
  'f',
  'P',
  'N',
  'O',
  'D',
  'R',
  'c',
]);

export interface TraceValidation {
  valid: boolean;
  errors: string[];
  /** Number of distinct (pid, tid) tracks that carry events other than metadata. */
  trackCount: number;
}

/**
 * Checks a parsed trace against the Trace Event format: required fields per phase, positive
 * durations, begin/end pairs that match per thread, properly nested complete slices on each track
 * (the viewers mis-draw partial overlaps), and exactly one thread_name record per track.
 */
export function validateTraceEventFile(trace: unknown): TraceValidation {
  const errors: string[] = [];
  const fail = (message: string): void => {
    if (errors.length < 100) errors.push(message);
  };
  const root = Array.isArray(trace) ? { traceEvents: trace } : trace;
  if (typeof root !== 'object' || root === null || !Array.isArray((root as { traceEvents?: unknown }).traceEvents)) {
    return {
      valid: false,
      errors: ['the trace must be an object with a traceEvents array (or an array of events)'],
      trackCount: 0,
    };
  }
  const list = (root as { traceEvents: unknown[] }).traceEvents;
  const threadNames = new Map<string, number>();
  const processNames = new Set<number>();
  const usedTracks = new Set<string>();
  const usedPids = new Set<number>();
  const openBegins = new Map<string, { name: string; ts: number }[]>();
  const slices = new Map<string, { start: number; end: number; index: number }[]>();

  list.forEach((raw, index) => {
    const where = `traceEvents[${index}]`;
    if (typeof raw !== 'object' || raw === null) return fail(`${where} is not an object`);
    const event = raw as Record<string, unknown>;
    if (typeof event.ph !== 'string' || !KNOWN_PHASES.has(event.ph))
      return fail(`${where}.ph ${JSON.stringify(event.ph)} is not a known phase`);
    if (typeof event.name !== 'string' || (event.name === '' && event.ph !== 'E'))
      fail(`${where}.name must be a non-empty string`);
    for (const key of ['pid', 'tid'] as const) {
      if (typeof event[key] !== 'number' || !Number.isInteger(event[key])) fail(`${where}.${key} must be an integer`);
    }
    const track = `${String(event.pid)}:${String(event.tid)}`;
    if (event.ph === 'M') {
      const args = event.args as Record<string, unknown> | undefined;
      if (event.name === 'process_name' || event.name === 'thread_name') {
        if (typeof args !== 'object' || args === null || typeof args.name !== 'string')
          fail(`${where} (${event.name}) needs args.name as a string`);
      }
      if (event.name === 'thread_name') threadNames.set(track, (threadNames.get(track) ?? 0) + 1);
      if (event.name === 'process_name') processNames.add(event.pid as number);
      return;
    }
    if (typeof event.ts !== 'number' || !Number.isFinite(event.ts))
      return fail(`${where}.ts must be a finite number (µs)`);
    usedTracks.add(track);
    usedPids.add(event.pid as number);
    switch (event.ph) {
      case 'X': {
        if (typeof event.dur !== 'number' || !Number.isFinite(event.dur) || event.dur <= 0)
          return fail(`${where}.dur must be a positive number (µs)`);
        const list = slices.get(track) ?? [];
        list.push({ start: event.ts, end: event.ts + event.dur, index });
        slices.set(track, list);
        break;
      }
      case 'B': {
        const stack = openBegins.get(track) ?? [];
        stack.push({ name: event.name as string, ts: event.ts });
        openBegins.set(track, stack);
        break;
      }
      case 'E': {
        const stack = openBegins.get(track) ?? [];
        const begin = stack.pop();
        if (!begin) return fail(`${where} ends a slice on track ${track} that never began`);
        if (event.name && event.name !== begin.name)
          fail(`${where} ends "${String(event.name)}" but the open slice is "${begin.name}"`);
        if (event.ts < begin.ts) fail(`${where} ends before its begin`);
        break;
      }
      case 'i':
      case 'I':
        if (event.s !== undefined && event.s !== 'g' && event.s !== 'p' && event.s !== 't')
          fail(`${where}.s must be g, p or t`);
        break;
    }
  });

  for (const [track, stack] of openBegins) {
    if (stack.length > 0) fail(`track ${track} has ${stack.length} begin event(s) without an end`);
  }
  const ROUNDING_US = 1e-6;
  for (const [track, list] of slices) {
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    const enclosing: { start: number; end: number; index: number }[] = [];
    for (const slice of list) {
      // Timestamps are µs as doubles: allow a rounding error (1e-6 µs) where one slice ends as the next begins.
      while (enclosing.length > 0 && enclosing[enclosing.length - 1]!.end <= slice.start + ROUNDING_US) enclosing.pop();
      const parent = enclosing[enclosing.length - 1];
      if (parent && slice.end > parent.end + ROUNDING_US) {
        fail(
          `on track ${track}, traceEvents[${slice.index}] overlaps traceEvents[${parent.index}] without nesting in it`,
        );
      }
      enclosing.push(slice);
    }
  }
  for (const track of usedTracks) {
    const count = threadNames.get(track) ?? 0;
    if (count !== 1) fail(`track ${track} has ${count} thread_name records; each thread needs exactly one`);
  }
  for (const pid of usedPids) {
    if (!processNames.has(pid)) fail(`process ${pid} has no process_name record`);
  }
  return { valid: errors.length === 0, errors, trackCount: usedTracks.size };
}
