// The Node options workers inherit: this process's, less those that would make a worker run
// something else (-e/-p and their script, --input-type), fight over a port (--inspect*), or turn
// it into a test or watch runner.

const WITH_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
]);
const KEEP_PRELOADS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const DROPPED = /^(--test|--experimental-test|--inspect|--debug|--watch|--input-type|--eval|--print)/;

export function inheritedExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (WITH_VALUE.has(arg)) {
      // Preloads (loaders, --require) stay with their value; a script to evaluate does not.
      if (KEEP_PRELOADS.has(arg) && i + 1 < argv.length) out.push(arg, argv[i + 1]!);
      i++;
      continue;
    }
    if (DROPPED.test(arg)) continue;
    out.push(arg);
  }
  return out;
}

let threadExecArgv: string[] | undefined | null = null;

/**
 * execArgv for a worker thread: undefined (inherit, Node ignores what does not apply to a thread)
 * unless something must be dropped; then the filtered list, less the process-wide flags that
 * new Worker() refuses (it names them in ERR_WORKER_INVALID_EXEC_ARGV), learnt once.
 */
export function threadWorkerExecArgv(): string[] | undefined {
  if (threadExecArgv === null) {
    const filtered = inheritedExecArgv();
    threadExecArgv = filtered.length === process.execArgv.length ? undefined : filtered;
  }
  return threadExecArgv;
}

/** Called when new Worker() refused execArgv: drops the flags it named; false if there is nothing to drop. */
export function dropRefusedThreadFlags(error: unknown): boolean {
  if ((error as NodeJS.ErrnoException)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !Array.isArray(threadExecArgv))
    return false;
  const named = String((error as Error).message)
    .split(':')
    .slice(1)
    .join(':');
  const refused = new Set(named.split(',').map((flag) => flag.trim()));
  const kept = threadExecArgv.filter((flag) => !refused.has(flag));
  if (kept.length === threadExecArgv.length) return false;
  threadExecArgv = kept;
  return true;
}
