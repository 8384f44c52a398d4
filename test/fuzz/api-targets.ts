// Fuzz targets for the public API: Interpreter (as a state machine checked against a model), the
// kernel wrappers and their twins (which must agree, on results and on what they refuse), RefHeap,
// SharedMemory, and the report functions. Same rules as the addon targets: a result or a clean Error.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { AbortFlag, Interpreter, kernels, reference, RefHeap, SharedMemory, report, type LockEvent } from 'gil-lab';
import {
  checkCleanError,
  FUZZ_SHM_PREFIX,
  FuzzViolation,
  outcomeOf,
  releaseAllLocks,
  runCase,
  type Outcome,
} from './harness.js';
import type { FuzzTarget } from './native-targets.js';
import { kernelArity, TWIN_NAMES } from '#internal/kernels/table';
import { anyArgs, anyNumber, anyShmSize, anySignal, anyString, anyTypedArray, anyValue, describe } from './values.js';

type AnyFn = (...args: unknown[]) => unknown;

// --- Interpreter as a state machine --------------------------------------------------------------

type Op =
  | {
      op:
        | 'acquire'
        | 'acquireAsync'
        | 'release'
        | 'checkpoint'
        | 'held'
        | 'stats'
        | 'resetStats'
        | 'stopTrace'
        | 'destroy'
        | 'stallReports'
        | 'stopWatchdog';
    }
  | { op: 'allowThreads'; throws: boolean }
  | { op: 'configure'; opts: unknown }
  | { op: 'startTrace'; opts: unknown }
  | { op: 'startWatchdog'; opts: unknown }
  | { op: 'byId'; id: unknown };

const anyOptions: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      policy: fc.oneof(fc.constantFrom('cpython', 'legacy', 'fifo', 'none'), anyValue),
      switchIntervalUs: fc.oneof(fc.integer({ min: 1, max: 20_000 }), anyNumber),
      checkInterval: fc.oneof(fc.integer({ min: 1, max: 1000 }), anyNumber),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

const anyOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom<Op>(
      { op: 'acquire' },
      { op: 'acquire' },
      { op: 'acquireAsync' },
      { op: 'release' },
      { op: 'release' },
      { op: 'checkpoint' },
      { op: 'held' },
      { op: 'stats' },
      { op: 'resetStats' },
      { op: 'stopTrace' },
      { op: 'stallReports' },
      { op: 'stopWatchdog' },
    ),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'destroy' }) },
  { weight: 2, arbitrary: fc.boolean().map((throws): Op => ({ op: 'allowThreads', throws })) },
  { weight: 2, arbitrary: anyOptions.map((opts): Op => ({ op: 'configure', opts })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constant(undefined),
        fc.record({ capacity: fc.oneof(fc.integer({ min: 1, max: 50 }), anyNumber) }),
        anyValue,
      )
      .map((opts): Op => ({ op: 'startTrace', opts })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.record({
          boundMs: fc.oneof(fc.integer({ min: 1, max: 100 }), anyNumber),
          pollMs: fc.oneof(fc.constant(undefined), anyNumber),
        }),
        anyValue,
      )
      .map((opts): Op => ({ op: 'startWatchdog', opts })),
  },
  { weight: 1, arbitrary: fc.oneof(fc.constant<unknown>('self'), anyValue).map((id): Op => ({ op: 'byId', id })) },
);

function checkTrace(
  events: LockEvent[] & { droppedEvents?: number },
  capacity: number,
  self: number,
  label: string,
): void {
  if (!Array.isArray(events) || events.length > capacity) {
    throw new FuzzViolation(`${label}: ${events.length} events for a capacity of ${capacity}`);
  }
  let last = -Infinity;
  for (const e of events) {
    if (!report.LOCK_EVENT_KINDS.includes(e.kind) || !(e.tNs >= last) || e.threadId <= 0) {
      throw new FuzzViolation(`${label}: bad event ${describe(e)} after t=${last}`);
    }
    if (e.threadId === self) last = e.tNs;
  }
  // This thread's own events alternate acquired / released.
  let holding: boolean | undefined;
  for (const e of events) {
    if (e.threadId !== self || (e.kind !== 'acquired' && e.kind !== 'released')) continue;
    const now = e.kind === 'acquired';
    if (holding === now) throw new FuzzViolation(`${label}: two ${e.kind} events in a row for this thread`);
    holding = now;
  }
}

const interpreterTarget: FuzzTarget = {
  name: 'Interpreter',
  weight: 4,
  property: (ctx) =>
    fc.asyncProperty(
      fc.oneof(fc.constant<unknown>('main'), fc.constant<unknown>(undefined), anyOptions),
      fc.array(anyOp, { minLength: 1, maxLength: 16 }),
      async (opts, ops) => {
        const label = `Interpreter(${describe(opts)}): ${ops.map((o) => describe(o)).join('; ')}`;
        await runCase(ctx, label, async () => {
          const made = await outcomeOf(() => (opts === 'main' ? Interpreter.main() : new Interpreter(opts as never)));
          ctx.tally.count('Interpreter', made);
          if (!made.ok) return void checkCleanError(made.error, label);
          const interp = made.value as Interpreter;
          const self = Interpreter.currentThreadId();
          let held = interp.isHeldByCurrentThread();
          let alive = true;
          let acquisitions = 0;
          let traceCapacity = 0;
          for (const [i, o] of ops.entries()) {
            const step = `${label} @ ${i}:${o.op}`;
            const outcome: Outcome = await outcomeOf(() => {
              switch (o.op) {
                case 'held':
                  return interp.isHeldByCurrentThread();
                case 'allowThreads':
                  return interp.allowThreads(() => {
                    if (interp.isHeldByCurrentThread())
                      throw new FuzzViolation(`${step}: still held inside allowThreads`);
                    if (o.throws) throw new RangeError('thrown inside allowThreads');
                    return 'inside';
                  });
                case 'configure':
                  return interp.configure(o.opts as never);
                case 'startTrace':
                  return interp.startTrace(o.opts as never);
                case 'startWatchdog':
                  return interp.startWatchdog(o.opts as never);
                case 'byId':
                  return Interpreter.byId((o.id === 'self' ? interp.id : o.id) as number);
                default:
                  return (interp[o.op] as AnyFn).call(interp);
              }
            });
            ctx.tally.count('Interpreter', outcome);
            ctx.tally.checked('Interpreter call vs model');
            if (outcome.ok === false) {
              const error = outcome.error;
              if (error instanceof FuzzViolation) throw error;
              if (o.op === 'allowThreads' && held && o.throws && error instanceof RangeError) {
                if (!interp.isHeldByCurrentThread())
                  throw new FuzzViolation(`${step}: the lock was not taken back after fn threw`);
                continue;
              }
              checkCleanError(error, step);
              if (alive && o.op === 'acquire' && !held) throw new FuzzViolation(`${step}: refused a free lock`);
              if (alive && (o.op === 'release' || o.op === 'checkpoint') && held)
                throw new FuzzViolation(`${step}: refused the holder`);
              if (alive && o.op === 'allowThreads' && held) throw new FuzzViolation(`${step}: refused the holder`);
              if (o.op === 'destroy' && alive && !held && interp.id !== 0) {
                throw new FuzzViolation(`${step}: refused to destroy a free interpreter`);
              }
              continue;
            }
            const value = outcome.value;
            switch (o.op) {
              case 'acquire':
              case 'acquireAsync':
                if (held || !alive) throw new FuzzViolation(`${step}: acquired (held ${held}, alive ${alive})`);
                held = true;
                acquisitions++;
                break;
              case 'release':
                if (!held) throw new FuzzViolation(`${step}: released a lock it did not hold`);
                held = false;
                break;
              case 'checkpoint':
                if (!held || typeof value !== 'boolean')
                  throw new FuzzViolation(`${step}: returned ${describe(value)}`);
                break;
              case 'allowThreads':
                if (!held || value !== 'inside' || !interp.isHeldByCurrentThread()) {
                  throw new FuzzViolation(
                    `${step}: returned ${describe(value)}, held after: ${interp.isHeldByCurrentThread()}`,
                  );
                }
                acquisitions++;
                break;
              case 'held':
                if (value !== held)
                  throw new FuzzViolation(`${step}: isHeldByCurrentThread() = ${value}, the model says ${held}`);
                break;
              case 'destroy':
                if (held || interp.id === 0)
                  throw new FuzzViolation(`${step}: destroyed (held ${held}, id ${interp.id})`);
                alive = false;
                break;
              case 'resetStats':
                acquisitions = 0;
                break;
              case 'startTrace':
                traceCapacity = ((o.opts as { capacity?: number } | undefined)?.capacity ?? 100_000) as number;
                break;
              case 'stopTrace':
                checkTrace(value as LockEvent[], traceCapacity || 100_000, self, step);
                break;
              case 'stats': {
                const s = value as import('gil-lab').LockStats;
                const mine = s.threads.find((t) => t.threadId === self);
                if (
                  !(s.acquisitions >= acquisitions) ||
                  !(s.heldNs >= 0 && s.waitNs >= 0 && s.elapsedNs >= 0) ||
                  // heldFraction <= 1 is tested by faults-lock-stats-snapshot.test.ts (it is a timing
                  // matter there; here it would make the fixed-seed run flaky).
                  !(s.heldFraction >= 0 && Number.isFinite(s.heldFraction)) ||
                  s.contendedAcquisitions > s.acquisitions ||
                  (acquisitions > 0 &&
                    interp.policy !== 'none' &&
                    (mine === undefined || mine.acquisitions < acquisitions))
                ) {
                  throw new FuzzViolation(
                    `${step}: stats inconsistent with ${acquisitions} acquisitions: ${JSON.stringify(s)}`,
                  );
                }
                break;
              }
              case 'byId':
                if (!(value instanceof Interpreter)) throw new FuzzViolation(`${step}: returned ${describe(value)}`);
                break;
            }
            if (alive && o.op !== 'destroy' && interp.isHeldByCurrentThread() !== held) {
              throw new FuzzViolation(`${step}: isHeldByCurrentThread() = ${!held}, the model says ${held}`);
            }
          }
          if (alive) interp.stopWatchdog();
        });
      },
    ),
};

// --- kernels vs twins ----------------------------------------------------------------------------

const f64 = (n: number, fill: number) => new Float64Array(n).fill(fill);

interface KernelCase {
  name: string;
  args: unknown[];
}
const kernelCase: fc.Arbitrary<KernelCase> = fc.oneof(
  fc.tuple(anyNumber, anyNumber).map((args) => ({ name: 'countPrimes', args })),
  fc
    .record(
      {
        width: fc.oneof(fc.integer({ min: 1, max: 20 }), anyNumber),
        height: fc.oneof(fc.integer({ min: 1, max: 20 }), anyNumber),
        maxIter: fc.oneof(fc.integer({ min: 1, max: 100 }), anyNumber),
        x0: fc.oneof(fc.constant(undefined), fc.double({ min: -2, max: 0, noNaN: true }), anyNumber),
        y0: fc.oneof(fc.constant(undefined), fc.double({ min: -2, max: 0, noNaN: true }), anyNumber),
        x1: fc.oneof(fc.constant(undefined), fc.double({ min: 0.1, max: 2, noNaN: true }), anyNumber),
        y1: fc.oneof(fc.constant(undefined), fc.double({ min: 0.1, max: 2, noNaN: true }), anyNumber),
      },
      { requiredKeys: ['width', 'height', 'maxIter'] },
    )
    .map((p) => ({ name: 'mandelbrot', args: [p] })),
  fc
    .tuple(fc.oneof(fc.uint8Array({ maxLength: 200 }), anyTypedArray, anyValue), anyNumber)
    .map((args) => ({ name: 'sha256Chain', args })),
  fc
    .tuple(fc.integer({ min: 0, max: 6 }), fc.boolean(), anyValue)
    .map(([n, ok, junk]) => ({ name: 'matmul', args: [f64(n * n, 0.5), ok ? f64(n * n, -1.25) : junk, n] })),
  fc
    .tuple(fc.oneof(fc.float64Array({ maxLength: 100, noNaN: false }), anyTypedArray, anyValue))
    .map((args) => ({ name: 'sum', args })),
  fc.tuple(fc.integer({ min: 0, max: 30 }), anyNumber, fc.boolean()).map(([n, s, ok]) => ({
    name: 'triad',
    args: [f64(n, 0), f64(n, 1.5), ok ? f64(n, -3) : f64(n + 1, -3), s],
  })),
  fc.tuple(anyNumber, fc.oneof(fc.constant(undefined), anyNumber)).map((args) => ({ name: 'spinIterations', args })),
  fc.tuple(fc.oneof(fc.integer({ min: 0, max: 50_000 }), anyNumber)).map((args) => ({ name: 'spin', args })),
  fc.tuple(fc.oneof(fc.integer({ min: 0, max: 100_000 }), anyNumber)).map((args) => ({ name: 'sleep', args })),
);

/** Whether a call is bounded without an abort signal (so it may be made with no options at all). */
function cheap(name: string, args: unknown[]): boolean {
  const small = (v: unknown) => !(typeof v === 'number' && v > 100_000);
  if (name === 'mandelbrot') {
    const p = args[0] as { width?: unknown; height?: unknown; maxIter?: unknown };
    const [w, h, it] = [p.width, p.height, p.maxIter].map((v) => (typeof v === 'number' && v > 0 ? v : 1));
    return w! * h! * it! <= 1e6;
  }
  return args.every(small);
}

/** Whether `signal` stops a call at once (already aborted) or makes it fail (not a signal at all). */
function stopsOrRefused(signal: unknown): boolean {
  if (signal instanceof AbortSignal) return signal.aborted;
  if (signal instanceof Int32Array) return signal.length === 0 || signal[0] !== 0;
  return signal !== undefined && !(signal instanceof AbortFlag);
}

// The kernels whose twin must give the same result: all with a twin (the kernel table's), but spin,
// whose step count follows each side's own calibrated rate.
const TWINS = new Set<string>(TWIN_NAMES.filter((name) => name !== 'spin'));

function comparable(name: string, args: unknown[], value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof Float64Array) return Array.from(value);
  if (name === 'triad') return Array.from(args[0] as Float64Array);
  return value;
}

/** kernels.X vs reference.X, sync and async, every mode and signal, lock held or not. */
const kernelApiTarget: FuzzTarget = {
  name: 'kernels vs reference',
  weight: 4,
  property: (ctx) =>
    fc.asyncProperty(
      kernelCase,
      fc.record(
        {
          mode: fc.oneof(fc.constantFrom('hold', 'release'), anyValue),
          interpreter: fc.oneof(fc.constantFrom<unknown>('main', 'fresh', 'none'), anyValue),
          signal: fc.oneof(
            { weight: 3, arbitrary: fc.constant<unknown>('watchdog') },
            { weight: 2, arbitrary: anySignal },
          ),
        },
        { requiredKeys: [] },
      ),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      async ({ name, args }, rawOptions, async, hold, omit) => {
        // Without options there is no abort signal: only for calls that end soon by themselves.
        const omitOptions = omit && cheap(name, args);
        const label = `kernels.${name}${async ? 'Async' : ''}(${args.map((a) => describe(a)).join(', ')}, ${
          omitOptions ? 'no options' : describe(rawOptions)
        }) lock ${hold ? 'held' : 'free'}`;
        await runCase(ctx, label, async () => {
          const options: Record<string, unknown> = { ...rawOptions };
          if (options.interpreter === 'main') options.interpreter = Interpreter.main();
          else if (options.interpreter === 'fresh') options.interpreter = new Interpreter({ switchIntervalUs: 300 });
          else if (options.interpreter === 'none') options.interpreter = new Interpreter({ policy: 'none' });
          // A call that may run for long gets the watchdog's flag unless its signal ends it anyway.
          if (options.signal === 'watchdog' || (!cheap(name, args) && !stopsOrRefused(options.signal))) {
            options.signal = ctx.watchdog.flag;
          }
          const interp =
            omitOptions || !(options.interpreter instanceof Interpreter)
              ? Interpreter.main()
              : (options.interpreter as Interpreter);
          if (hold && !interp.isHeldByCurrentThread()) interp.acquire();
          const heldBefore = interp.isHeldByCurrentThread();
          // The twins must run with the same arguments first (they mutate nothing but triad's a).
          const twinArgs = name === 'triad' ? [f64((args[0] as Float64Array).length, 0), ...args.slice(1)] : args;
          const fn = (kernels as unknown as Record<string, AnyFn>)[async ? `${name}Async` : name]!;
          const callArgs = omitOptions ? args : [...args, options];
          const outcome = await outcomeOf(() => fn(...callArgs), releaseAllLocks);
          ctx.tally.count('kernels vs reference', outcome);
          if (!async && interp.isHeldByCurrentThread() !== heldBefore) {
            throw new FuzzViolation(`${label}: the call changed the lock state (held before: ${heldBefore})`);
          }
          if (!outcome.ok) {
            checkCleanError(outcome.error, label);
            return;
          }
          if (!async && !heldBefore && interp.policy !== 'none') {
            throw new FuzzViolation(`${label}: a sync kernel ran for a thread that does not hold the lock`);
          }
          if (ctx.watchdog.fired || !TWINS.has(name)) return;
          // The twin, under the main lock, must agree.
          releaseAllLocks();
          const main = Interpreter.main();
          main.acquire();
          ctx.watchdog.arm(`${label} (twin)`);
          const twin = await outcomeOf(() =>
            (reference as unknown as Record<string, AnyFn>)[name]!(...twinArgs, { signal: ctx.watchdog.flag }),
          );
          if (!twin.ok) {
            if (twin.error instanceof Error && twin.error.name === 'AbortError') return;
            throw new FuzzViolation(
              `${label}: the kernel returned ${describe(outcome.value)} but the twin threw ${twin.error}`,
            );
          }
          const got = comparable(name, args, outcome.value);
          const expected = comparable(name, twinArgs, twin.value);
          if (!isDeepStrictEqual(got, expected)) {
            throw new FuzzViolation(`${label}: kernel ${describe(got)} vs twin ${describe(expected)}`);
          }
          ctx.tally.checked('kernel result = twin result');
        });
      },
    ),
};

/** Where each twin takes its options: the kernel table's arity (and the calibration, none). */
const TWIN_ARITY: Record<string, number> = {
  ...Object.fromEntries(TWIN_NAMES.map((name) => [name, kernelArity(name)])),
  spinIterationsPerNs: 0,
};

/** The twins alone with hostile arguments: a result or a clean Error, and the same refusals as the kernels. */

const twinTarget: FuzzTarget = {
  name: 'reference twins',
  weight: 2,
  property: (ctx) =>
    fc.asyncProperty(
      fc.constantFrom(...Object.keys(TWIN_ARITY)),
      anyArgs(5),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant<unknown>('watchdog') },
        { weight: 1, arbitrary: anyValue.filter((v) => v === null || typeof v !== 'object') },
      ),
      async (name, rawArgs, options) => {
        // Arguments in place, then options: the watchdog's signal (so that long valid calls stop)
        // or a value that is not an options object at all.
        const args = Array.from({ length: TWIN_ARITY[name]! }, (_, i) => rawArgs[i]);
        const label = `reference.${name}(${[...args, options].map((a) => describe(a)).join(', ')})`;
        await runCase(ctx, label, async () => {
          Interpreter.main().acquire();
          const opts = options === 'watchdog' ? { signal: ctx.watchdog.flag } : options;
          const twin = await outcomeOf(() => (reference as unknown as Record<string, AnyFn>)[name]!(...args, opts));
          ctx.tally.count('reference twins', twin);
          if (!twin.ok) checkCleanError(twin.error, label);
        });
      },
    ),
};

// --- RefHeap, SharedMemory -----------------------------------------------------------------------

const refHeapApiTarget: FuzzTarget = {
  name: 'RefHeap',
  weight: 1,
  property: (ctx) =>
    fc.asyncProperty(
      fc.oneof(fc.integer({ min: 1, max: 500 }), anyValue),
      fc.oneof(
        fc.record(
          {
            strategy: fc.oneof(fc.constantFrom('locked', 'racy', 'atomic', 'biased'), anyValue),
            threads: fc.oneof(fc.integer({ min: 1, max: 4 }), anyNumber),
            pairsPerThread: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyNumber),
            seed: fc.oneof(fc.nat(), anyNumber),
            signal: fc.oneof(fc.constant<unknown>('watchdog'), anySignal),
          },
          { requiredKeys: ['strategy'] },
        ),
        anyValue,
      ),
      fc.boolean(),
      async (objects, options, async) => {
        const label = `new RefHeap(${describe(objects)}).storm${async ? 'Async' : ''}(${describe(options)})`;
        await runCase(ctx, label, async () => {
          const made = await outcomeOf(() => new RefHeap(objects as number));
          ctx.tally.count('RefHeap', made);
          if (!made.ok) return void checkCleanError(made.error, label);
          const heap = made.value as RefHeap;
          const o = options as { signal?: unknown; threads?: unknown; pairsPerThread?: unknown } | null;
          const bounded =
            typeof o?.threads === 'number' &&
            typeof o.pairsPerThread === 'number' &&
            o.threads * o.pairsPerThread <= 1e6;
          const opts =
            o !== null && typeof o === 'object' && (o.signal === 'watchdog' || (!bounded && !stopsOrRefused(o.signal)))
              ? { ...o, signal: ctx.watchdog.flag }
              : options;
          const outcome = await outcomeOf(() => (async ? heap.stormAsync(opts as never) : heap.storm(opts as never)));
          ctx.tally.count('RefHeap', outcome);
          if (!outcome.ok) return void checkCleanError(outcome.error, label);
          const r = outcome.value as import('gil-lab').RefStormResult;
          if (r.strategy !== 'racy' && (r.lostUpdates !== 0 || r.prematureFrees !== 0 || r.staleReferences !== 0)) {
            throw new FuzzViolation(`${label}: ${describe(r)}`);
          }
          ctx.tally.checked('storm invariants');
          let total = 0;
          for (let i = 0; i < heap.size; i++) total += heap.count(i);
          if (total !== r.finalTotal)
            throw new FuzzViolation(`${label}: counts sum to ${total}, the report says ${r.finalTotal}`);
        });
      },
    ),
};

const sharedMemoryApiTarget: FuzzTarget = {
  name: 'SharedMemory',
  weight: 1,
  property: (ctx) =>
    fc.asyncProperty(
      fc.oneof(
        fc.record(
          {
            create: fc.constant(true),
            size: fc.oneof(fc.integer({ min: 1, max: 4096 }), anyShmSize),
            name: fc.oneof(
              fc.constant(undefined),
              fc.nat(3).map((k) => `${FUZZ_SHM_PREFIX}api${k}`),
              anyString.map((s) => `${FUZZ_SHM_PREFIX}${s}`),
            ),
          },
          { requiredKeys: [] },
        ),
        fc.record({
          name: fc.oneof(
            fc.nat(3).map((k) => `${FUZZ_SHM_PREFIX}api${k}`),
            anyString.filter((s) => !/^[\w.-]+$/.test(s)),
          ),
        }),
        anyValue,
      ),
      fc.array(
        fc.tuple(
          fc.constantFrom(
            'view',
            'atomicLoad',
            'atomicStore',
            'atomicAdd',
            'atomicCompareExchange',
            'close',
            'unlink',
            'buffer',
          ),
          fc.constantFrom<unknown>(Uint8Array, Int32Array, Float64Array, BigInt64Array, DataView, Array, undefined),
          fc.oneof(fc.nat(64), anyNumber),
          fc.oneof(fc.constant(undefined), fc.nat(64), anyNumber),
        ),
        { maxLength: 8 },
      ),
      async (options, calls) => {
        const label = `new SharedMemory(${describe(options)}) then ${calls
          .map(
            (c) =>
              `${c[0]}(${c
                .slice(1)
                .map((x) => describe(x))
                .join(', ')})`,
          )
          .join('; ')}`;
        await runCase(ctx, label, async () => {
          const made = await outcomeOf(() => new SharedMemory(options as never));
          ctx.tally.count('SharedMemory', made);
          if (!made.ok) return void checkCleanError(made.error, label);
          const shm = made.value as SharedMemory;
          try {
            for (const [method, ctor, a, b] of calls) {
              const step = `${label} @ ${method}`;
              const outcome = await outcomeOf(() => {
                if (method === 'view') return shm.view(ctor as never, a as number, b as number);
                if (method === 'buffer') return shm.buffer;
                if (method === 'close' || method === 'unlink') return shm[method]();
                return (shm[method] as AnyFn).call(shm, a, b, a);
              });
              ctx.tally.count('SharedMemory', outcome);
              if (!outcome.ok) {
                checkCleanError(outcome.error, step);
                continue;
              }
              if (method === 'view') {
                const v = outcome.value as ArrayBufferView;
                if (v.byteOffset + v.byteLength > shm.size) throw new FuzzViolation(`${step}: a view past the end`);
              }
            }
          } finally {
            shm.close();
            if ((options as { create?: boolean })?.create) {
              try {
                shm.unlink();
              } catch {
                // unlinked by the case
              }
            }
          }
        });
      },
    ),
};

// --- report functions ----------------------------------------------------------------------------

const anyEvent: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      tNs: fc.oneof(fc.integer({ min: 0, max: 1e9 }), anyNumber),
      threadId: fc.oneof(fc.integer({ min: 1, max: 5 }), anyNumber),
      kind: fc.oneof(fc.constantFrom('wait-start', 'acquired', 'released', 'drop-request'), anyString),
      interpreterId: fc.oneof(fc.constant(0), anyNumber),
    }),
  },
  { weight: 1, arbitrary: anyValue },
);
const anyEvents = fc.oneof(
  { weight: 6, arbitrary: fc.array(anyEvent, { maxLength: 30 }) },
  { weight: 1, arbitrary: anyValue },
);
const anyChart = fc.oneof(
  fc.record({
    title: fc.oneof(anyString, anyValue),
    xLabel: anyString,
    yLabel: anyString,
    series: fc.oneof(
      fc.array(
        fc.record({
          label: fc.oneof(anyString, fc.constant('<&"\'>')),
          points: fc.oneof(fc.array(fc.record({ x: anyNumber, y: anyNumber }), { maxLength: 8 }), anyValue),
        }),
        { maxLength: 4 },
      ),
      anyValue,
    ),
    ideal: fc.oneof(fc.constant(undefined), fc.constant('y=x'), fc.constant(null), anyValue),
    logX: fc.oneof(fc.boolean(), anyValue),
    logY: fc.oneof(fc.boolean(), anyValue),
    xFormat: fc.oneof(fc.constantFrom('number', 'bytes', 'percent'), anyValue),
    yFormat: fc.oneof(fc.constantFrom('number', 'bytes', 'percent'), anyValue),
  }),
  anyValue,
);

type ReportCall = { fn: string; args: unknown[] };
const reportCall: fc.Arbitrary<ReportCall> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'formatSignificant',
        'formatNs',
        'formatSeconds',
        'formatSpeedup',
        'formatPercent',
        'formatBytes',
        'formatBytesPerSecond',
        'formatGBps',
        'formatCount',
        'formatTickNumber',
        'timeUnitFor',
      ),
      anyValue,
      fc.oneof(fc.constant(undefined), anyNumber),
    )
    .map(([fn, a, b]) => ({ fn, args: [a, b] })),
  fc
    .tuple(fc.constantFrom('escapeHtml', 'escapeXml', 'formatCell'), fc.oneof(anyString, fc.string(), anyValue))
    .map(([fn, a]) => ({ fn, args: [a] })),
  fc
    .tuple(
      anyEvents,
      fc.oneof(
        fc.constant(undefined),
        fc.record({ width: fc.oneof(fc.integer({ min: 0, max: 200 }), anyNumber) }, { requiredKeys: [] }),
        anyValue,
      ),
    )
    .map(([events, opts]) => ({ fn: 'renderTimeline', args: [events, opts] })),
  fc
    .tuple(anyEvents, fc.oneof(fc.constant(undefined), anyValue))
    .map(([events, opts]) => ({ fn: 'toTraceEventJson', args: [events, opts] })),
  fc
    .tuple(
      anyEvents,
      fc.oneof(
        fc.constant(undefined),
        fc.record(
          {
            width: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyNumber),
            height: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyNumber),
          },
          { requiredKeys: [] },
        ),
        anyValue,
      ),
    )
    .map(([events, opts]) => ({ fn: 'renderTimelineSvg', args: [events, opts] })),
  fc
    .tuple(anyEvents, fc.oneof(fc.constant(undefined), anyValue))
    .map(([events, opts]) => ({ fn: 'buildLockTimeline', args: [events, opts] })),
  fc
    .tuple(
      anyChart,
      fc.oneof(
        fc.constant(undefined),
        fc.record(
          {
            width: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyNumber),
            height: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyNumber),
          },
          { requiredKeys: [] },
        ),
        anyValue,
      ),
    )
    .map(([spec, opts]) => ({ fn: 'renderLineChartSvg', args: [spec, opts] })),
  fc
    .tuple(
      fc.oneof(
        fc.array(
          fc.oneof(
            fc.constantFrom('a', 'b', 'c'),
            fc.record(
              {
                key: fc.constantFrom('a', 'b', 'z'),
                header: fc.oneof(fc.constant(undefined), anyString),
                align: fc.oneof(fc.constant(undefined), fc.constantFrom('left', 'right', 'center'), anyValue),
              },
              { requiredKeys: ['key'] },
            ),
            anyValue,
          ),
          { maxLength: 4 },
        ),
        anyValue,
      ),
      fc.oneof(
        fc.array(fc.record({ a: anyValue, b: anyNumber, c: anyString }, { requiredKeys: [] }), { maxLength: 5 }),
        anyValue,
      ),
      fc.oneof(fc.constant(undefined), anyValue),
    )
    .map(([columns, rows, opts]) => ({ fn: 'renderTable', args: [columns, rows, opts] })),
  fc
    .tuple(
      fc.oneof(
        fc.record({
          title: anyString,
          machine: fc.oneof(fc.constant({}), anyValue),
          sections: fc.oneof(fc.constant([]), anyValue),
          intro: fc.oneof(fc.constant(undefined), anyString),
        }),
        anyValue,
      ),
    )
    .map(([r]) => ({ fn: 'renderHtmlReport', args: [r] })),
);

const reportTarget: FuzzTarget = {
  name: 'report',
  weight: 3,
  property: (ctx) =>
    fc.asyncProperty(reportCall, async ({ fn, args }) => {
      const label = `report.${fn}(${args.map((a) => describe(a)).join(', ')})`;
      await runCase(ctx, label, async () => {
        const outcome = await outcomeOf(() => (report as unknown as Record<string, AnyFn>)[fn]!(...args));
        ctx.tally.count('report', outcome);
        if (!outcome.ok) return void checkCleanError(outcome.error, label);
        const value = outcome.value;
        if (
          fn.startsWith('format') ||
          fn.startsWith('escape') ||
          fn.startsWith('render') ||
          fn === 'toTraceEventJson'
        ) {
          if (typeof value !== 'string') throw new FuzzViolation(`${label}: returned ${describe(value)}, not a string`);
        }
        // Geometry must be finite (a label may well say 'Infinity%' for a huge value).
        const badGeometry =
          /\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|d|points|viewBox|transform)="[^"]*(?:NaN|Infinity|undefined)[^"]*"/;
        if (fn.endsWith('Svg') && badGeometry.test(value as string)) {
          throw new FuzzViolation(`${label}: non-finite SVG geometry: ${(value as string).match(badGeometry)![0]}`);
        }
        if (fn === 'escapeHtml' || fn === 'escapeXml') {
          if (/[<>"]|&(?!(amp|lt|gt|quot|#39|apos);)/.test(value as string))
            throw new FuzzViolation(`${label}: ${describe(value)} is not escaped`);
        }
        ctx.tally.checked('report output');
        if (fn === 'toTraceEventJson') {
          const validation = report.validateTraceEventFile(JSON.parse(value as string));
          if (!validation.valid)
            throw new FuzzViolation(`${label}: the trace it wrote is invalid: ${describe(validation)}`);
        }
      });
    }),
};

export const API_TARGETS: readonly FuzzTarget[] = [
  interpreterTarget,
  kernelApiTarget,
  twinTarget,
  refHeapApiTarget,
  sharedMemoryApiTarget,
  reportTarget,
];
