// Fuzz targets for the raw addon: every function the addon exports, the kernels (sync and async),
// the functions of interpreter handles, and the RefHeap and SharedMemoryHandle classes, called
// with plausible and hostile argument lists, with the main interpreter's lock held or not.
//
// Rules: a call returns or throws an Error with an allowed name (never a non-Error, never a crash
// or a hang); a kernel that returns gives the twin's result; a sync kernel leaves the caller's lock
// as it found it, and refuses to run for a thread that does not hold the lock (policy none aside).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { reference } from 'gil-lab';
import { native } from '#internal/native';
import {
  checkCleanError,
  FUZZ_SHM_PREFIX,
  FuzzViolation,
  outcomeOf,
  releaseAllLocks,
  runCase,
  type FuzzContext,
  type Outcome,
} from './harness.js';
import {
  anyArgs,
  anyNumber,
  anyShmSize,
  anyString,
  anyTypedArray,
  anyValue,
  describe,
  detachedView,
} from './values.js';

export interface FuzzTarget {
  name: string;
  /** Relative share of the run budget. */
  weight: number;
  property(ctx: FuzzContext): fc.IRawProperty<unknown[]>;
  /** Called once after the target's runs (e.g. to shut its pools down). */
  teardown?(): Promise<void>;
}

type AnyFn = (...args: unknown[]) => unknown;
const kernelsObject = native.kernels as unknown as Record<string, unknown>;
const KERNELS = Object.keys(kernelsObject).filter(
  (k) => typeof kernelsObject[k] === 'function' && k !== 'RefHeap' && k !== 'spinIterationsPerNs',
);
/**
 * Process-wide switches the fuzz process must not flip for itself: pinThread would confine the rest
 * of the run to one CPU (its checks are tested in a worker thread by bench-scaling-pin).
 */
const PROCESS_WIDE = new Set(['pinThread']);
const TOP_LEVEL = Object.keys(native).filter(
  (k) =>
    typeof (native as unknown as Record<string, unknown>)[k] === 'function' &&
    k !== 'SharedMemoryHandle' &&
    !PROCESS_WIDE.has(k) &&
    !k.startsWith('bench'),
);
/** Functions that run for as long as asked and take no abort flag: only small arguments. */
const BENCH = Object.keys(native).filter((k) => k.startsWith('bench'));

const checkpointer = { checkpoint: () => false };

// Files for fileRead: a small file, a directory, a missing path, /dev/zero (endless: the watchdog stops it).
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-fuzz-'));
const smallFile = path.join(scratch, 'data.bin');
writeFileSync(smallFile, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 255)));
const anyPath = fc.oneof(
  fc.constantFrom(smallFile, scratch, path.join(scratch, 'missing'), '/dev/zero', '', 'relative/path'),
  anyString.filter((s) => !s.includes('/') || s.startsWith('/nonexistent')),
);

/** An interpreter id as a kernel sees it: main, a fresh one, a destroyed one, or any number. */
type IdChoice = 'main' | 'fresh' | 'fresh-none' | 'destroyed' | number | unknown;
const anyId: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<IdChoice>('main') },
  { weight: 2, arbitrary: fc.constantFrom<IdChoice>('fresh', 'fresh-none', 'destroyed') },
  { weight: 2, arbitrary: anyValue },
);
function resolveId(choice: IdChoice): unknown {
  if (choice === 'main') return 0;
  if (choice === 'fresh') return native.interpreterCreate('cpython', 200);
  if (choice === 'fresh-none') return native.interpreterCreate('none');
  if (choice === 'destroyed') {
    const id = native.interpreterCreate();
    native.interpreterDestroy(id);
    return id;
  }
  return choice;
}

const JUNK_FLAGS: readonly unknown[] = [0, 'x', {}, [], new Int32Array(0), new Uint32Array(1), new Float64Array(1)];
/** The abort flag slot: the watchdog's (so that long valid calls stop) or a value that must be refused. */
const anyFlag = fc.oneof(
  { weight: 8, arbitrary: fc.constant<unknown>('watchdog') },
  { weight: 1, arbitrary: fc.constantFrom(...JUNK_FLAGS) },
  { weight: 1, arbitrary: fc.constant<unknown>('detached').map(() => detachedView((b) => new Int32Array(b))) },
);

const f64 = (n: number, fill = 1.5) => new Float64Array(n).fill(fill);
const small = fc.integer({ min: 0, max: 40 });
const coordinate = fc.oneof(fc.double({ min: -2.5, max: 2.5, noNaN: true }), anyNumber);

/** Plausible argument lists per kernel (often valid, sometimes just off). */
const plausible: Record<string, fc.Arbitrary<unknown[]>> = {
  countPrimes: fc.tuple(anyNumber, anyNumber),
  mandelbrot: fc
    .tuple(
      fc.oneof(fc.integer({ min: 1, max: 24 }), anyNumber),
      fc.oneof(fc.integer({ min: 1, max: 24 }), anyNumber),
      fc.oneof(fc.integer({ min: 1, max: 200 }), anyNumber),
      coordinate,
      coordinate,
      coordinate,
      coordinate,
      fc.constantFrom('none', 'exact', 'wrong', 'junk'),
    )
    .map(([w, h, it, x0, y0, x1, y1, image]) => {
      const pixels = Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0 && w * h <= 4096 ? w * h : 4;
      const img =
        image === 'none'
          ? undefined
          : image === 'exact'
            ? new Uint32Array(pixels)
            : image === 'wrong'
              ? new Uint32Array(pixels + 1)
              : new Int32Array(pixels);
      return [w, h, it, x0, y0, x1, y1, img];
    }),
  sha256Chain: fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 300 }), anyTypedArray, anyValue), anyNumber),
  matmul: fc
    .tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom('exact', 'short', 'junk'), anyNumber)
    .map(([n, shape, other]) => {
      const len = shape === 'short' ? Math.max(0, n * n - 1) : n * n;
      return [f64(len, 0.25), shape === 'junk' ? other : f64(len, -2), shape === 'junk' ? n : n];
    }),
  sum: fc.tuple(fc.oneof(fc.float64Array({ maxLength: 200 }), anyTypedArray, anyValue)),
  triad: fc.tuple(small, fc.constantFrom('same', 'mismatch', 'shared', 'junk'), anyNumber).map(([n, shape, scalar]) => {
    if (shape === 'junk') return [f64(n), f64(n), scalar, scalar];
    const b = shape === 'shared' ? new Float64Array(new SharedArrayBuffer(n * 8)) : f64(n, 2);
    return [f64(n), b, f64(shape === 'mismatch' ? n + 1 : n, 3), scalar];
  }),
  spin: fc.tuple(anyNumber),
  spinIterations: fc.tuple(anyNumber, anyNumber),
  sleep: fc.tuple(fc.oneof(fc.integer({ min: 0, max: 200_000 }), anyNumber)),
  pipeRoundTrips: fc.tuple(anyNumber, fc.oneof(fc.integer({ min: 0, max: 4096 }), anyNumber)),
  socketRoundTrips: fc.tuple(anyNumber, fc.oneof(fc.integer({ min: 0, max: 4096 }), anyNumber)),
  fileRead: fc.tuple(
    anyPath,
    fc.oneof(fc.integer({ min: 0, max: 4000 }), anyNumber),
    fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 4000 }), anyNumber),
    fc.oneof(fc.integer({ min: 1, max: 5000 }), anyNumber),
    fc.oneof(fc.constant(undefined), fc.constant(new Uint8Array(4000)), anyTypedArray),
  ),
};

/** Plausible, plausible with one argument replaced, or anything at all. */
function kernelArgs(name: string): fc.Arbitrary<unknown[]> {
  const base = plausible[name.replace(/Async$/, '')] ?? anyArgs(8);
  return fc.oneof(
    { weight: 5, arbitrary: base },
    {
      weight: 3,
      arbitrary: fc
        .tuple(base, fc.nat(9), anyValue)
        .map(([args, i, v]) => Object.assign([...args], { [i % (args.length + 1)]: v })),
    },
    { weight: 1, arbitrary: base.map((args) => args.slice(0, Math.max(0, args.length - 1))) },
    { weight: 1, arbitrary: anyArgs(9) },
  );
}

/** Checks a kernel's result against its twin, when the twin can say (and is not stopped first). */
function checkKernelResult(ctx: FuzzContext, name: string, args: unknown[], value: unknown, label: string): void {
  const kernel = name.replace(/Async$/, '');
  const signal = ctx.watchdog.flag;
  let expected: unknown;
  try {
    ctx.watchdog.arm(`${label} (twin)`);
    switch (kernel) {
      case 'countPrimes':
        expected = reference.countPrimes(args[0] as number, args[1] as number, { interpreter: checkpointer, signal });
        break;
      case 'spinIterations':
        expected = reference.spinIterations(args[0] as number, args[1] as number, {
          interpreter: checkpointer,
          signal,
        });
        break;
      case 'sum':
        expected = reference.sum(args[0] as Float64Array, { interpreter: checkpointer, signal });
        break;
      case 'sha256Chain':
        expected = Buffer.from(
          reference.sha256Chain(args[0] as Uint8Array, args[1] as number, { interpreter: checkpointer, signal }),
        ).toString('hex');
        value = value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value;
        break;
      case 'mandelbrot':
        expected = reference.mandelbrot(
          {
            width: args[0] as number,
            height: args[1] as number,
            maxIter: args[2] as number,
            x0: args[3] as number,
            y0: args[4] as number,
            x1: args[5] as number,
            y1: args[6] as number,
          },
          { interpreter: checkpointer, signal },
        );
        break;
      case 'pipeRoundTrips':
      case 'socketRoundTrips': {
        const r = value as { roundTrips: number; bytes: number };
        if (r.roundTrips !== (args[0] as number) || r.bytes !== (args[0] as number) * (args[1] as number)) {
          throw new FuzzViolation(`${label}: returned ${describe(value)}`);
        }
        return;
      }
      case 'matmul': {
        const n = args[2] as number;
        if (!(value instanceof Float64Array) || value.length !== n * n) {
          throw new FuzzViolation(`${label}: returned ${describe(value)}`);
        }
        const a = args[0] as Float64Array;
        const b = args[1] as Float64Array;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
            if (Math.abs(s - value[i * n + j]!) > 1e-9 * Math.max(1, Math.abs(s))) {
              throw new FuzzViolation(`${label}: c[${i},${j}] = ${value[i * n + j]}, expected ${s}`);
            }
          }
        }
        return;
      }
      default:
        return;
    }
  } catch (error) {
    if (error instanceof FuzzViolation) throw error;
    if (error instanceof Error && error.name === 'AbortError') return; // the twin ran out of time
    throw new FuzzViolation(`${label}: the native kernel accepted arguments its twin refuses: ${error}`);
  }
  if (!Object.is(expected, value) && expected !== value) {
    throw new FuzzViolation(`${label}: returned ${describe(value)}, the twin ${describe(expected)}`);
  }
  ctx.tally.checked('addon kernel = twin');
}

/** The handle of a live interpreter with this id, if `id` is one. */
function liveHandle(id: unknown) {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) return undefined;
  return native.interpreterExists(id) ? native.interpreterHandle(id) : undefined;
}

/** A raw kernel call: (interpreterId, mode, abortFlag, ...args), sync or async. */
const kernelTarget: FuzzTarget = {
  name: 'addon kernels',
  weight: 5,
  property: (ctx) =>
    fc.asyncProperty(
      fc.constantFrom(...KERNELS).chain((name) =>
        fc.record({
          name: fc.constant(name),
          id: anyId,
          mode: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: anyValue }),
          flag: anyFlag,
          args: kernelArgs(name),
          hold: fc.boolean(),
        }),
      ),
      async ({ name, id, mode, flag, args, hold }) => {
        const label = `kernels.${name}(${describe(id)}, ${describe(mode)}, ${describe(flag)}, ${args.map((a) => describe(a)).join(', ')}) lock ${hold ? 'held' : 'free'}`;
        await runCase(ctx, label, async () => {
          const interpreterId = resolveId(id);
          const flagValue = flag === 'watchdog' ? ctx.watchdog.flag : flag;
          if (hold) native.interpreterHandle(0).acquire();
          const targetHandle = liveHandle(interpreterId);
          if (hold && targetHandle && targetHandle.id !== 0) targetHandle.acquire();
          const heldBefore = targetHandle?.held();
          const policy = targetHandle ? native.interpreterConfig(targetHandle.id).policy : undefined;
          const fn = kernelsObject[name] as AnyFn;
          // A hold-mode async kernel needs the lock its caller holds: let go before awaiting.
          const outcome: Outcome = await outcomeOf(() => fn(interpreterId, mode, flagValue, ...args), releaseAllLocks);
          ctx.tally.count('addon kernels', outcome);
          if (!outcome.ok) {
            checkCleanError(outcome.error, label);
            if (!name.endsWith('Async') && targetHandle && targetHandle.held() !== heldBefore) {
              throw new FuzzViolation(`${label}: threw and left the lock ${heldBefore ? 'released' : 'held'}`);
            }
            return;
          }
          if (!name.endsWith('Async')) {
            if (targetHandle && targetHandle.held() !== heldBefore) {
              throw new FuzzViolation(`${label}: returned and left the lock ${heldBefore ? 'released' : 'held'}`);
            }
            if (targetHandle && !heldBefore && policy !== 'none') {
              throw new FuzzViolation(`${label}: ran for a thread that does not hold the lock`);
            }
          }
          if (!ctx.watchdog.fired) checkKernelResult(ctx, name, args, outcome.value, label);
        });
      },
    ),
};

/** Every other addon function, with hostile arguments. */
const topLevelTarget: FuzzTarget = {
  name: 'addon functions',
  weight: 3,
  property: (ctx) =>
    fc.asyncProperty(
      fc.constantFrom(...TOP_LEVEL, ...BENCH),
      fc.oneof(
        anyArgs(5),
        fc.tuple(anyId, anyArgs(4)).map(([id, rest]) => [id, ...rest]),
        fc
          .tuple(anyId, fc.constantFrom<unknown>('cpython', 'legacy', 'fifo', 'none', 'x'), anyNumber, anyNumber)
          .map((a) => a as unknown[]),
      ),
      fc.boolean(),
      async (name, rawArgs, hold) => {
        let args = rawArgs;
        if (BENCH.includes(name)) {
          // Valid bench arguments run as long as they say, with no abort: keep them small.
          args = args.map((a) => (typeof a === 'number' && a > 20 ? 20 : a));
        }
        if (name === 'traceStart') args = args.map((a) => (typeof a === 'number' && a > 100_000 ? 100_001 : a));
        const label = `native.${name}(${args.map((a) => describe(a)).join(', ')}) lock ${hold ? 'held' : 'free'}`;
        await runCase(ctx, label, async () => {
          args = args.map((a) =>
            a === 'main' || a === 'fresh' || a === 'fresh-none' || a === 'destroyed' ? resolveId(a) : a,
          );
          if (hold) native.interpreterHandle(0).acquire();
          const fn = (native as unknown as Record<string, AnyFn>)[name]!;
          const outcome = await outcomeOf(() => fn(...args), releaseAllLocks);
          ctx.tally.count('addon functions', outcome);
          if (!outcome.ok) checkCleanError(outcome.error, label);
        });
      },
    ),
};

const HANDLE_METHODS = ['acquire', 'acquireAsync', 'release', 'checkpoint', 'held'] as const;

/** Sequences of calls on interpreter handles (main, fresh, destroyed), checked against a model. */
const handleTarget: FuzzTarget = {
  name: 'interpreter handles',
  weight: 2,
  property: (ctx) =>
    fc.asyncProperty(
      fc.constantFrom('main', 'fresh', 'fresh-none', 'fresh-fifo', 'fresh-legacy', 'destroyed'),
      fc.array(fc.tuple(fc.constantFrom(...HANDLE_METHODS), anyArgs(2)), { minLength: 1, maxLength: 12 }),
      async (which, calls) => {
        const label = `handle(${which}): ${calls.map(([m, a]) => `${m}(${a.map((x) => describe(x)).join(', ')})`).join('; ')}`;
        await runCase(ctx, label, async () => {
          const id =
            which === 'main'
              ? 0
              : which === 'fresh-fifo'
                ? native.interpreterCreate('fifo', 100)
                : which === 'fresh-legacy'
                  ? native.interpreterCreate('legacy', 100, 3)
                  : which === 'fresh-none'
                    ? native.interpreterCreate('none')
                    : native.interpreterCreate();
          const target = native.interpreterHandle(id);
          if (which === 'destroyed') native.interpreterDestroy(id); // the handle outlives it
          let held = target.held();
          const history: string[] = [];
          for (const [method, args] of calls) {
            const outcome = await outcomeOf(() => (target[method] as AnyFn)(...args));
            history.push(
              `${method}: ${outcome.ok ? `returned ${describe(outcome.value)}` : `threw ${String(outcome.error)}`}`,
            );
            const step = `${label} @ ${method} (so far: ${history.join('; ')}; holder ${
              which === 'destroyed' ? '-' : native.lockStats(id).holder
            }, this thread ${native.currentThreadId()})`;
            ctx.tally.count('interpreter handles', outcome);
            ctx.tally.checked('handle call vs lock model');
            const alive = which !== 'destroyed';
            if (!outcome.ok) {
              checkCleanError(outcome.error, step);
              // What the model says should have worked.
              if (alive && method === 'acquire' && !held) throw new FuzzViolation(`${step}: refused a free lock`);
              if (alive && method === 'release' && held) throw new FuzzViolation(`${step}: refused the holder`);
              if (alive && method === 'checkpoint' && held) throw new FuzzViolation(`${step}: refused the holder`);
              continue;
            }
            if (method === 'acquire' || method === 'acquireAsync') {
              if (held) throw new FuzzViolation(`${step}: acquired a lock the thread already held`);
              if (!alive) throw new FuzzViolation(`${step}: acquired a destroyed interpreter`);
              held = true;
            } else if (method === 'release') {
              if (!held) throw new FuzzViolation(`${step}: released a lock the thread did not hold`);
              held = false;
            } else if (method === 'checkpoint') {
              if (!held) throw new FuzzViolation(`${step}: checkpoint without holding returned`);
              if (typeof outcome.value !== 'boolean')
                throw new FuzzViolation(`${step}: returned ${describe(outcome.value)}`);
            } else if (outcome.value !== held) {
              throw new FuzzViolation(`${step}: held() = ${outcome.value}, the model says ${held}`);
            }
          }
          if (which !== 'destroyed') {
            const stats = native.lockStats(id);
            if (stats.acquisitions < 0 || stats.heldNs < 0 || !(stats.heldFraction >= 0)) {
              throw new FuzzViolation(`${label}: inconsistent stats ${describe(stats)}`);
            }
          }
        });
      },
    ),
};

/** RefHeap: construction, storms (sync and async, every strategy) and lookups. */
const refHeapTarget: FuzzTarget = {
  name: 'addon RefHeap',
  weight: 2,
  property: (ctx) =>
    fc.asyncProperty(
      fc.oneof(fc.integer({ min: 1, max: 2000 }), anyNumber, anyValue),
      fc.array(
        fc.tuple(
          fc.constantFrom('storm', 'stormAsync', 'count', 'generation', 'size'),
          fc.constantFrom<unknown>('locked', 'racy', 'atomic', 'biased', 'other', 3),
          fc.oneof(fc.integer({ min: 1, max: 4 }), anyNumber),
          fc.oneof(fc.integer({ min: 0, max: 3000 }), anyNumber),
          fc.oneof(fc.nat(100), anyNumber),
          anyId,
          anyFlag,
        ),
        { minLength: 1, maxLength: 4 },
      ),
      fc.boolean(),
      async (objects, calls, hold) => {
        const label = `new RefHeap(${describe(objects)}) then ${calls
          .map(
            (c) =>
              `${c[0]}(${c
                .slice(1)
                .map((x) => describe(x))
                .join(', ')})`,
          )
          .join('; ')} lock ${hold ? 'held' : 'free'}`;
        await runCase(ctx, label, async () => {
          const made = await outcomeOf(() => new native.kernels.RefHeap(objects as number));
          ctx.tally.count('addon RefHeap', made);
          if (!made.ok) return void checkCleanError(made.error, label);
          const heap = made.value as InstanceType<typeof native.kernels.RefHeap>;
          if (heap.size !== objects) throw new FuzzViolation(`${label}: size ${heap.size}`);
          if (hold) native.interpreterHandle(0).acquire();
          for (const [method, strategy, threads, pairs, seed, id, flag] of calls) {
            const step = `${label} @ ${method}`;
            const flagValue = flag === 'watchdog' ? ctx.watchdog.flag : flag;
            const interpreterId = resolveId(id);
            const outcome = await outcomeOf(() => {
              if (method === 'size') return heap.size;
              if (method === 'count' || method === 'generation') return heap[method](pairs as number);
              return heap[method](
                strategy as string,
                threads as number,
                pairs as number,
                seed as number,
                interpreterId as number,
                flagValue as Int32Array,
              );
            }, releaseAllLocks);
            ctx.tally.count('addon RefHeap', outcome);
            if (!outcome.ok) {
              checkCleanError(outcome.error, step);
              continue;
            }
            if (method === 'storm' || method === 'stormAsync') {
              ctx.tally.checked('storm invariants');
              const r = outcome.value as import('gil-lab').RefStormResult;
              // 'locked' under policy none takes no lock: losing updates is then the point.
              const unlocked =
                r.strategy === 'locked' && native.interpreterConfig(interpreterId as number).policy === 'none';
              if (
                r.completed &&
                r.strategy !== 'racy' &&
                !unlocked &&
                (r.lostUpdates !== 0 || r.prematureFrees !== 0 || r.finalTotal !== r.expectedTotal)
              ) {
                throw new FuzzViolation(`${step}: ${r.strategy} lost updates: ${describe(r)}`);
              }
              if (r.completed && r.operations !== 2 * (threads as number) * (pairs as number)) {
                throw new FuzzViolation(
                  `${step}: ${r.operations} operations, expected ${2 * (threads as number) * (pairs as number)}`,
                );
              }
            }
          }
        });
      },
    ),
};

/** SharedMemoryHandle: create/attach/unlink with odd names and sizes, then cell operations. */
const sharedMemoryTarget: FuzzTarget = {
  name: 'addon SharedMemoryHandle',
  weight: 2,
  property: (ctx) => {
    const anyName = fc.oneof(
      { weight: 4, arbitrary: fc.nat(3).map((k) => `/${FUZZ_SHM_PREFIX}${k}`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => `/${FUZZ_SHM_PREFIX}${s}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '',
          '/',
          '//',
          `/${FUZZ_SHM_PREFIX}a/b`,
          `/${'x'.repeat(300)}`,
          `/${FUZZ_SHM_PREFIX}\0`,
        ),
      },
      { weight: 1, arbitrary: anyValue.filter((v) => typeof v !== 'string') },
    );
    // Sizes past Node's largest ArrayBuffer included (see faults-shared-memory-huge.test.ts).
    const anySize = fc.oneof(
      fc.integer({ min: 1, max: 1 << 16 }),
      anyShmSize,
      anyValue.filter((v) => typeof v !== 'number'),
    );
    return fc.asyncProperty(
      fc.constantFrom<unknown>('create', 'create', 'attach', 'other', 7),
      anyName,
      anySize,
      fc.array(
        fc.tuple(
          fc.constantFrom('load', 'store', 'compareExchange', 'add', 'close', 'buffer', 'unlink'),
          fc.oneof(fc.nat(20), anyNumber, anyValue),
          fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), anyNumber),
          fc.oneof(fc.integer(), anyNumber),
        ),
        { maxLength: 8 },
      ),
      async (mode, name, size, calls) => {
        const label = `new SharedMemoryHandle(${describe(mode)}, ${describe(name)}, ${describe(size)}) then ${calls
          .map(
            (c) =>
              `${c[0]}(${c
                .slice(1)
                .map((x) => describe(x))
                .join(', ')})`,
          )
          .join('; ')}`;
        await runCase(ctx, label, async () => {
          const made = await outcomeOf(
            () => new native.SharedMemoryHandle(mode as 'create', name as string, size as number),
          );
          ctx.tally.count('addon SharedMemoryHandle', made);
          if (!made.ok) return void checkCleanError(made.error, label);
          const shm = made.value as import('#internal/shared-memory').SharedMemoryHandle;
          const cells = Math.floor(shm.size / 4);
          const model = new Map<number, number>();
          let closed = false;
          for (const [method, index, a, b] of calls) {
            const step = `${label} @ ${method}`;
            const outcome = await outcomeOf(() => {
              if (method === 'close') return shm.close();
              if (method === 'buffer') return shm.buffer;
              if (method === 'unlink') return native.shmUnlink(name as string);
              return (shm[method] as AnyFn)(index, a, b);
            });
            ctx.tally.count('addon SharedMemoryHandle', outcome);
            if (!outcome.ok) {
              checkCleanError(outcome.error, step);
              continue;
            }
            if (method === 'close') closed = true;
            if (closed && method !== 'close' && method !== 'unlink') {
              throw new FuzzViolation(`${step}: worked after close()`);
            }
            const i = index as number;
            if (method !== 'close' && method !== 'buffer' && method !== 'unlink' && !(i >= 0 && i < cells)) {
              throw new FuzzViolation(`${step}: accepted index ${describe(index)} of ${cells} cells`);
            }
            const old = model.get(i) ?? (method === 'load' ? (outcome.value as number) : undefined);
            if (method === 'store') model.set(i, a as number);
            if (method === 'add' && old !== undefined) {
              if (outcome.value !== old)
                throw new FuzzViolation(`${step}: add returned ${describe(outcome.value)}, expected ${old}`);
              model.set(i, (old + (a as number)) | 0);
            }
            if (method === 'load' && model.has(i) && outcome.value !== model.get(i)) {
              throw new FuzzViolation(`${step}: load gave ${describe(outcome.value)}, the model ${model.get(i)}`);
            }
            if (method === 'compareExchange') {
              if (old !== undefined && outcome.value !== old)
                throw new FuzzViolation(`${step}: returned ${describe(outcome.value)}, expected ${old}`);
              if (outcome.value === a) model.set(i, b as number);
              else if (old === undefined) model.delete(i);
            }
          }
          if (!closed) shm.close();
        }).finally(() => {
          // Keep the four fixed names (so attach finds something); remove the one-off ones.
          if (typeof name === 'string' && !/_[0-3]$/.test(name) && name.includes(FUZZ_SHM_PREFIX)) {
            try {
              native.shmUnlink(name);
            } catch {
              // never created, or unlinked by the case
            }
          }
        });
      },
    );
  },
};

export const NATIVE_TARGETS: readonly FuzzTarget[] = [
  kernelTarget,
  topLevelTarget,
  handleTarget,
  refHeapTarget,
  sharedMemoryTarget,
];
