// Fuzz: random arguments thrown at every kernel export — the typed wrappers (sync and async), the
// raw addon functions, the twins and RefHeap. Each call must either throw an Error (never a non-Error
// value, never a crash) or return a correct result; the calling thread's lock must be as before.
// Valid calls that would run for ages are stopped by a watchdog thread that raises the abort flag
// passed to every call (an AbortError is an acceptable outcome).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, kernels, reference, RefHeap } from 'gil-lab';
import { native } from '#internal/native';
import { startKernelWorker } from './fixtures/kernel-helpers.js';
import { kernelArity, KERNEL_NAMES } from '#internal/kernels/table';

const SEED = Number(process.env.GIL_LAB_FUZZ_SEED ?? 20240611);

// A small deterministic generator (mulberry32), so a failure can be replayed with its seed.
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

function detached(): Float64Array {
  const buffer = new ArrayBuffer(32);
  const view = new Float64Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

const numbers = [0, 1, 2, 3, 4, 7, 9, 64, 100, 1000, 65536, -1, 1.5, -0, NaN, Infinity, -Infinity];
const hugeNumbers = [2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 2 ** 60, Number.MAX_VALUE, 1e9];
function value(): unknown {
  const r = random();
  if (r < 0.45) return pick(numbers);
  if (r < 0.55) return pick(hugeNumbers);
  return pick<() => unknown>([
    () => undefined,
    () => null,
    () => true,
    () => '',
    () => 'abc',
    () => '/',
    () => '/dev/zero',
    () => '/nonexistent/gil-lab',
    () => 1n,
    () => Symbol('x'),
    () => ({}),
    () => [],
    () => [1, 2, 3],
    () => () => 1,
    () => new Float64Array(pick([0, 1, 4, 9, 16])).map(() => random() * 4 - 2),
    () => new Float64Array(new SharedArrayBuffer(32)),
    () => detached(),
    () => new Float32Array(4),
    () => new Uint8Array(pick([0, 3, 64, 100])).map(() => random() * 256),
    () => new Uint32Array(pick([1, 4, 9])),
    () => new Int32Array([7]),
    () => new Uint8ClampedArray(4),
    () => new DataView(new ArrayBuffer(8)),
    () => ({ width: pick([1, 2, 3, 65536]), height: pick([1, 2, 3]), maxIter: pick([1, 5, 100, 2 ** 31, 0, -1]) }),
    () => ({ strategy: pick(['locked', 'racy', 'atomic', 'biased', 'x']), threads: pick([1, 2, 4, 0, 300]) }),
  ])();
}

// The watchdog: cell 0 is a sequence number (odd: a call is running), cell 1 the abort flag.
const cells = new Int32Array(new SharedArrayBuffer(12));
const abortFlag = cells.subarray(1, 2);
function arm(): void {
  Atomics.store(cells, 1, 0);
  Atomics.add(cells, 0, 1);
  Atomics.notify(cells, 0);
}
function disarm(): void {
  Atomics.add(cells, 0, 1);
  Atomics.notify(cells, 0);
}

let abortCount = 0;
function acceptError(e: unknown, what: string): void {
  assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
  if (e.name === 'AbortError') abortCount++;
}

const main = Interpreter.main();

// Checks a successful result against the twin (computed under the watchdog too; skipped if the
// twin is stopped first).
function checkResult(name: string, args: unknown[], result: unknown): void {
  const what = `${name}(${args.map((a) => String(a)).join(', ')})`;
  const twinOf: Record<string, () => unknown> = {
    countPrimes: () => reference.countPrimes(args[0] as number, args[1] as number, { signal: abortFlag }),
    spinIterations: () =>
      reference.spinIterations(args[0] as number, args[1] as number | undefined, { signal: abortFlag }),
    sum: () => reference.sum(args[0] as Float64Array, { signal: abortFlag }),
    sha256Chain: () => reference.sha256Chain(args[0] as Uint8Array, args[1] as number, { signal: abortFlag }),
  };
  if (name === 'pipeRoundTrips' || name === 'socketRoundTrips') {
    const r = result as { roundTrips: number; bytes: number };
    assert.equal(r.roundTrips, (args[0] as number) + 0, what); // + 0: a count of -0 is 0
    assert.equal(r.bytes, (args[0] as number) * (args[1] as number) + 0, what);
    return;
  }
  if (name === 'sleep') {
    assert.ok((result as number) >= (args[0] as number), what);
    return;
  }
  if (name === 'matmul') {
    const n = args[2] as number;
    assert.ok(result instanceof Float64Array && result.length === n * n, what);
    return;
  }
  const twin = twinOf[name];
  if (!twin) return;
  let expected: unknown;
  try {
    arm();
    expected = twin();
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') return; // the (slower) twin was stopped first
    throw new Error(`${what}: native returned ${String(result)} but the twin threw ${String(e)}`, { cause: e });
  } finally {
    disarm();
  }
  assert.deepEqual(result, expected, what);
}

const wrapperNames = KERNEL_NAMES;

// Positional arguments before the options object: the kernel table's.
const ARITY: Readonly<Record<string, number>> = Object.fromEntries(KERNEL_NAMES.map((n) => [n, kernelArity(n)]));

function options(): unknown {
  const r = random();
  if (r < 0.85) {
    return {
      mode: random() < 0.1 ? pick(['fast', 1, null]) : pick([undefined, 'hold', 'release']),
      signal: abortFlag,
      interpreter: random() < 0.1 ? pick(['main', 0, {}]) : pick([undefined, main]),
    };
  }
  return pick(['hold', 42, true, Symbol('o')]); // never a plain object without the flag
}

// Well-typed arguments with random (sometimes extreme) values: most are valid.
function plausibleArgs(name: string): unknown[] {
  const int = (max: number) => Math.floor(random() * max);
  const f64 = (n: number) => Float64Array.from({ length: n }, () => random() * 8 - 4);
  switch (name) {
    case 'countPrimes': {
      const lo = pick([0, 1, 2, int(1e6), 2 ** 32 - int(200), 2 ** 53 - int(100), 2 ** 40]);
      return [lo, lo + pick([0, 1, int(1000), int(1e5), 2 ** 52, -1])];
    }
    case 'mandelbrot': {
      const width = pick([1, 2, int(50) + 1, 65536]);
      const height = pick([1, int(30) + 1]);
      const x0 = pick([-2, -0.75, 0, NaN]);
      return [
        {
          width,
          height,
          maxIter: pick([1, int(500) + 1, 2 ** 31]),
          x0,
          x1: x0 + pick([0.01, 3, -1]),
          image: random() < 0.5 ? new Uint32Array(width * height < 1e6 ? width * height : 1) : undefined,
        },
      ];
    }
    case 'sha256Chain':
      return [
        new Uint8Array(pick([0, 1, 55, 64, int(10000)])).map(() => int(256)),
        pick([1, int(100) + 1, 2 ** 50, 0]),
      ];
    case 'matmul': {
      const n = pick([1, 2, int(40) + 1, 0]);
      return [f64(n * n), f64(random() < 0.9 ? n * n : n), n];
    }
    case 'sum':
      return [f64(pick([0, 1, 7, int(100000)]))];
    case 'triad': {
      const n = pick([0, 1, int(50000)]);
      return [f64(n), f64(n), f64(random() < 0.9 ? n : n + 1), pick([0, 1.5, -3, NaN])];
    }
    case 'spin':
      return [pick([0, int(1e6), 3600e9, -5])];
    case 'spinIterations':
      return [pick([0, int(1e5), 2 ** 53]), pick([undefined, 1, int(2 ** 32), 0])];
    case 'sleep':
      return [pick([0, int(1e6), 3600e9])];
    case 'pipeRoundTrips':
    case 'socketRoundTrips':
      return [pick([0, 1, int(50), 1e9]), pick([1, int(5000) + 1, 1 << 20, 0])];
    case 'fileRead':
      return [
        pick(['/etc/hostname', '/dev/zero', '/proc/self/status', '/nonexistent']),
        {
          offset: pick([undefined, 0, int(100)]),
          length: pick([undefined, int(100000)]),
          chunkBytes: pick([undefined, 1, 4096]),
        },
      ];
  }
  return [];
}

function callWrapper(name: string, async: boolean): { args: unknown[]; run: () => unknown } {
  const args = random() < 0.6 ? plausibleArgs(name) : Array.from({ length: Math.floor(random() * 5) }, value);
  const fn = (kernels as unknown as Record<string, (...a: unknown[]) => unknown>)[async ? `${name}Async` : name]!;
  const positional = [...args];
  while (positional.length < ARITY[name]!) positional.push(undefined);
  positional.length = ARITY[name]!;
  const all = [...positional, options()];
  return { args: positional, run: () => fn.apply(kernels, all) };
}

test(`fuzz: every export throws an Error or returns a correct result (seed ${SEED})`, async (t) => {
  const watchdog = startKernelWorker({ scenario: 'watchdog', flag: cells, delayMs: 30 });
  let calls = 0;
  let errors = 0;
  try {
    // Sync wrappers and twins, holding the main lock.
    main.acquire();
    for (let i = 0; i < 700; i++) {
      const name = pick(wrapperNames);
      const { args, run } = callWrapper(name, false);
      calls++;
      let result: unknown;
      let threw = false;
      arm();
      try {
        result = run();
      } catch (e) {
        threw = true;
        errors++;
        acceptError(e, name);
      } finally {
        disarm();
      }
      assert.ok(main.isHeldByCurrentThread(), `${name}: the lock is held after the call`);
      if (!threw) checkResult(name, args, result);
    }
    // Raw addon functions with random prefixes: (interpreterId, mode, abortFlag, ...).
    const rawNames = Object.keys(native.kernels).filter(
      (k) => typeof (native.kernels as unknown as Record<string, unknown>)[k] === 'function' && k !== 'RefHeap',
    );
    for (let i = 0; i < 500; i++) {
      const name = pick(rawNames.filter((n) => !n.endsWith('Async')));
      const fn = (native.kernels as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
      const prefix = [
        pick([0, 0, 0, 1, -1, 0.5, 2 ** 32, 'x', undefined]),
        pick([0, 1, 0, 1, 2, -1, NaN, '0', undefined]),
        pick([abortFlag, abortFlag, abortFlag, 3, 'flag', new Int32Array(0), new Float64Array(1)]),
      ];
      const args = Array.from({ length: Math.floor(random() * 9) }, value);
      calls++;
      arm();
      try {
        fn(...prefix, ...args);
      } catch (e) {
        errors++;
        acceptError(e, `raw ${name}`);
      } finally {
        disarm();
      }
      assert.ok(main.isHeldByCurrentThread(), `raw ${name}: the lock is held after the call`);
    }
    for (let i = 0; i < 250; i++) {
      const name = pick([
        'countPrimes',
        'mandelbrot',
        'sha256Chain',
        'matmul',
        'sum',
        'triad',
        'spin',
        'spinIterations',
        'fileRead',
      ] as const);
      const args = Array.from({ length: 4 }, value);
      const fn = (reference as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
      calls++;
      arm();
      try {
        fn(...args.slice(0, Math.max(1, fn.length - 1)), { signal: abortFlag });
      } catch (e) {
        errors++;
        acceptError(e, `reference.${name}`);
      } finally {
        disarm();
      }
    }
    main.release();

    // Async wrappers: the lock is free, so hold-mode pool threads can take it.
    for (let i = 0; i < 150; i++) {
      const name = pick(wrapperNames);
      let call: { args: unknown[]; run: () => unknown } | undefined;
      let result: unknown;
      let threw = false;
      calls++;
      arm();
      try {
        call = callWrapper(name, true);
        const promise = call.run();
        assert.ok(promise instanceof Promise, `${name}Async returns a Promise`);
        result = await promise;
      } catch (e) {
        threw = true;
        errors++;
        acceptError(e, `${name}Async`);
      } finally {
        disarm();
      }
      assert.equal(main.stats().holder, 0, `${name}Async: the lock is free again`);
      if (!threw && call) {
        main.acquire();
        try {
          checkResult(name, call.args, result);
        } finally {
          main.release();
        }
      }
    }

    // RefHeap.
    for (let i = 0; i < 40; i++) {
      calls++;
      arm();
      try {
        const heap = new RefHeap(value() as number);
        const o = value();
        const storm = {
          ...(typeof o === 'object' && o !== null ? o : {}),
          pairsPerThread: pick([0, 10, 1000, 2 ** 40, -1, 1.5]),
          signal: abortFlag,
        } as never;
        const r = random() < 0.5 ? heap.storm(storm) : await heap.stormAsync(storm);
        if (r.strategy !== 'racy') assert.equal(r.lostUpdates, 0);
      } catch (e) {
        errors++;
        acceptError(e, 'RefHeap');
      } finally {
        disarm();
      }
    }
  } finally {
    Atomics.store(cells, 2, 1);
    Atomics.notify(cells, 0);
    await watchdog.result;
  }
  t.diagnostic(
    `${calls} calls: ${calls - errors} results checked, ${errors} errors (${abortCount} stopped by the watchdog)`,
  );
  assert.ok(calls - errors > 50, 'some calls were valid');
});
