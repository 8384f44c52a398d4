// Progress for long runs, drawn by cli-progress (a maintained library) on a terminal only. It writes
// to stderr by default so that `--json` output on stdout stays clean, and when the stream is not a
// TTY (piped, redirected, CI) it is a no-op that writes nothing and starts no timers.
import { SingleBar } from 'cli-progress';

/** A stream the bar can draw on; only TTY streams are drawn on. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Number of steps, e.g. experiments in the tour. */
  total: number;
  /** Text in front of the bar. */
  label?: string;
  /** Where to draw; default process.stderr. */
  stream?: ProgressStream;
  /** Force drawing on or off; default: on only when the stream is a TTY. */
  enabled?: boolean;
}

export interface Progress {
  /** Whether anything is being drawn. */
  readonly active: boolean;
  /** Advances by `amount` steps (default 1) and shows `status` (e.g. the step now starting). */
  tick(status?: string, amount?: number): void;
  /** Sets the number of completed steps. */
  update(completed: number, status?: string): void;
  setTotal(total: number): void;
  /** Removes the bar from the screen; further calls do nothing. */
  stop(): void;
}

function checkCount(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite non-negative number, got ${value}`);
  return value;
}

function checkStatus(status: unknown): string {
  if (status === undefined) return '';
  if (typeof status !== 'string') throw new TypeError(`status must be a string, got ${typeof status}`);
  // One line only: a newline would break the bar's redraw in place.
  return status.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** Starts a progress bar; see ProgressOptions for when it draws. */
export function createProgress(options: ProgressOptions): Progress {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('options must be an object { total, label?, stream?, enabled? }');
  const total = checkCount(options.total, 'options.total');
  const label = options.label ?? '';
  if (typeof label !== 'string') throw new TypeError('options.label must be a string');
  const stream = options.stream ?? process.stderr;
  if (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function')
    throw new TypeError('options.stream must be a writable stream');
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean')
    throw new TypeError('options.enabled must be a boolean');
  const enabled = options.enabled ?? stream.isTTY === true;

  if (!enabled) {
    return {
      active: false,
      tick(status, amount = 1) {
        checkStatus(status);
        checkCount(amount, 'amount');
      },
      update(completed, status) {
        checkCount(completed, 'completed');
        checkStatus(status);
      },
      setTotal(newTotal) {
        checkCount(newTotal, 'total');
      },
      stop() {},
    };
  }

  const bar = new SingleBar({
    format: `${label ? `${label.replace(/[\u0000-\u001f\u007f{}]/g, ' ')} ` : ''}{bar} {value}/{total} {status}`,
    stream: stream as NodeJS.WritableStream,
    hideCursor: true,
    clearOnComplete: true,
    barsize: 24,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    // cli-progress decides TTY-ness from the stream; a forced-on bar must draw anyway.
    noTTYOutput: stream.isTTY !== true,
  });
  let stopped = false;
  bar.start(total, 0, { status: '' });
  return {
    get active() {
      return !stopped;
    },
    tick(status, amount = 1) {
      const text = checkStatus(status);
      checkCount(amount, 'amount');
      if (!stopped) bar.increment(amount, { status: text });
    },
    update(completed, status) {
      checkCount(completed, 'completed');
      const text = checkStatus(status);
      if (!stopped) bar.update(completed, { status: text });
    },
    setTotal(newTotal) {
      checkCount(newTotal, 'total');
      if (!stopped) bar.setTotal(newTotal);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
