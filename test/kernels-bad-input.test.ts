// Bad input: a TypeError or RangeError that names the argument — from the native kernels (sync and
// async) and from their twins alike — and the lock is as it was.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Interpreter, kernels, reference, RefHeap } from 'gil-lab';

const main = Interpreter.main();
before(() => main.acquire());
after(() => main.release());

function detachedFloat64(): Float64Array {
  const buffer = new ArrayBuffer(64);
  const view = new Float64Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}
function detachedUint8(): Uint8Array {
  const buffer = new ArrayBuffer(64);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same call goes to kernels, kernels.XAsync and reference
type Call = (api: any, options: any) => unknown;
interface Case {
  what: string;
  call: Call;
  error: typeof TypeError | typeof RangeError;
  names: RegExp;
  /** Not for the twins (they have no such kernel or option). */
  nativeOnly?: boolean;
}

const f64 = (n: number) => new Float64Array(n);
const cases: Case[] = [
  { what: 'lo not a number', call: (k, o) => k.countPrimes('0' as never, 10, o), error: TypeError, names: /^lo / },
  { what: 'hi NaN', call: (k, o) => k.countPrimes(0, NaN, o), error: RangeError, names: /^hi .*NaN/ },
  { what: 'hi Infinity', call: (k, o) => k.countPrimes(0, Infinity, o), error: RangeError, names: /^hi / },
  { what: 'lo negative', call: (k, o) => k.countPrimes(-1, 10, o), error: RangeError, names: /^lo / },
  { what: 'lo fractional', call: (k, o) => k.countPrimes(1.5, 10, o), error: RangeError, names: /^lo / },
  { what: 'reversed range', call: (k, o) => k.countPrimes(10, 5, o), error: RangeError, names: /lo must be <= hi/ },
  { what: 'hi above 2^53', call: (k, o) => k.countPrimes(0, 2 ** 54, o), error: RangeError, names: /^hi / },
  { what: 'params not an object', call: (k, o) => k.mandelbrot(null as never, o), error: TypeError, names: /^params / },
  {
    what: 'maxIter 0',
    call: (k, o) => k.mandelbrot({ width: 4, height: 4, maxIter: 0 }, o),
    error: RangeError,
    names: /^maxIter /,
  },
  {
    what: 'maxIter negative',
    call: (k, o) => k.mandelbrot({ width: 4, height: 4, maxIter: -5 }, o),
    error: RangeError,
    names: /^maxIter /,
  },
  {
    what: 'width 0',
    call: (k, o) => k.mandelbrot({ width: 0, height: 4, maxIter: 5 }, o),
    error: RangeError,
    names: /^width /,
  },
  {
    what: 'x0 NaN',
    call: (k, o) => k.mandelbrot({ width: 4, height: 4, maxIter: 5, x0: NaN }, o),
    error: RangeError,
    names: /^x0 /,
  },
  {
    what: 'reversed x range',
    call: (k, o) => k.mandelbrot({ width: 4, height: 4, maxIter: 5, x0: 1, x1: 0 }, o),
    error: RangeError,
    names: /x0 must be < x1/,
  },
  {
    what: 'pixel byte count too large',
    call: (k, o) => k.mandelbrot({ width: 65536, height: 65536, maxIter: 1 }, o),
    error: RangeError,
    names: /width\*height/,
  },
  {
    what: 'total iterations beyond 2^53',
    call: (k, o) => k.mandelbrot({ width: 65536, height: 4096, maxIter: 2 ** 32 - 1 }, o),
    error: RangeError,
    names: /^maxIter/,
  },
  {
    what: 'image of the wrong type',
    call: (k, o) => k.mandelbrot({ width: 2, height: 2, maxIter: 5, image: new Int32Array(4) as never }, o),
    error: TypeError,
    names: /^image /,
  },
  {
    what: 'image of the wrong length',
    call: (k, o) => k.mandelbrot({ width: 2, height: 2, maxIter: 5, image: new Uint32Array(3) }, o),
    error: RangeError,
    names: /^image /,
  },
  {
    what: 'data not a Uint8Array',
    call: (k, o) => k.sha256Chain('abc' as never, 1, o),
    error: TypeError,
    names: /^data /,
  },
  {
    what: 'data a Uint8ClampedArray',
    call: (k, o) => k.sha256Chain(new Uint8ClampedArray(3) as never, 1, o),
    error: TypeError,
    names: /^data /,
  },
  {
    what: 'data detached',
    call: (k, o) => k.sha256Chain(detachedUint8(), 1, o),
    error: TypeError,
    names: /^data .*detached/,
  },
  { what: 'rounds 0', call: (k, o) => k.sha256Chain(new Uint8Array(3), 0, o), error: RangeError, names: /^rounds / },
  {
    what: 'a not a Float64Array',
    call: (k, o) => k.matmul(new Float32Array(4) as never, f64(4), 2, o),
    error: TypeError,
    names: /^a /,
  },
  { what: 'b of the wrong length', call: (k, o) => k.matmul(f64(4), f64(5), 2, o), error: RangeError, names: /^b / },
  {
    what: 'n whose byte count overflows',
    call: (k, o) => k.matmul(f64(4), f64(4), 2 ** 32, o),
    error: RangeError,
    names: /^n /,
  },
  { what: 'n zero', call: (k, o) => k.matmul(f64(0), f64(0), 0, o), error: RangeError, names: /^n / },
  { what: 'sum of an Array', call: (k, o) => k.sum([1, 2, 3] as never, o), error: TypeError, names: /^a / },
  {
    what: 'sum of a detached array',
    call: (k, o) => k.sum(detachedFloat64(), o),
    error: TypeError,
    names: /^a .*detached/,
  },
  {
    what: 'triad length mismatch',
    call: (k, o) => k.triad(f64(4), f64(4), f64(3), 1, o),
    error: RangeError,
    names: /^c /,
  },
  {
    what: 'triad scalar Infinity',
    call: (k, o) => k.triad(f64(4), f64(4), f64(4), Infinity, o),
    error: RangeError,
    names: /^scalar /,
  },
  {
    what: 'triad scalar a string',
    call: (k, o) => k.triad(f64(4), f64(4), f64(4), '2' as never, o),
    error: TypeError,
    names: /^scalar /,
  },
  { what: 'spin negative', call: (k, o) => k.spin(-1, o), error: RangeError, names: /^ns / },
  { what: 'spinIterations seed 0', call: (k, o) => k.spinIterations(10, 0, o), error: RangeError, names: /^seed / },
  {
    what: 'fileRead path not a string',
    call: (k, o) => k.fileRead(42 as never, undefined, o),
    error: TypeError,
    names: /^path /,
  },
  {
    what: 'fileRead path with NUL',
    call: (k, o) => k.fileRead('a\0b', undefined, o),
    error: RangeError,
    names: /^path /,
  },
  {
    what: 'fileRead negative offset',
    call: (k, o) => k.fileRead('/etc/hostname', { offset: -1 }, o),
    error: RangeError,
    names: /^offset /,
  },
  {
    what: 'fileRead chunkBytes 0',
    call: (k, o) => k.fileRead('/etc/hostname', { chunkBytes: 0 }, o),
    error: RangeError,
    names: /^chunkBytes /,
  },
  {
    what: 'fileRead into detached',
    call: (k, o) => k.fileRead('/etc/hostname', { into: detachedUint8() }, o),
    error: TypeError,
    names: /^into /,
  },
  { what: 'sleep NaN', call: (k, o) => k.sleep(NaN, o), error: RangeError, names: /^ns /, nativeOnly: true },
  {
    what: 'pipe bytes 0',
    call: (k, o) => k.pipeRoundTrips(1, 0, o),
    error: RangeError,
    names: /^bytes /,
    nativeOnly: true,
  },
  {
    what: 'socket count fractional',
    call: (k, o) => k.socketRoundTrips(1.5, 1, o),
    error: RangeError,
    names: /^count /,
    nativeOnly: true,
  },
  {
    what: 'socket bytes too many',
    call: (k, o) => k.socketRoundTrips(1, 2 ** 40, o),
    error: RangeError,
    names: /^bytes /,
    nativeOnly: true,
  },
  {
    what: 'unknown mode',
    call: (k) => k.countPrimes(0, 1, { mode: 'fast' as never }),
    error: RangeError,
    names: /^mode /,
    nativeOnly: true,
  },
  {
    what: 'mode not a string',
    call: (k) => k.countPrimes(0, 1, { mode: 1 as never }),
    error: TypeError,
    names: /^mode /,
    nativeOnly: true,
  },
  {
    what: 'interpreter not an Interpreter',
    call: (k) => k.countPrimes(0, 1, { interpreter: { id: 0 } as never }),
    error: TypeError,
    names: /^interpreter /,
    nativeOnly: true,
  },
  {
    what: 'signal of the wrong type',
    call: (k) => k.countPrimes(0, 1, { signal: new Uint8Array(1) as never }),
    error: TypeError,
    names: /^signal /,
    nativeOnly: true,
  },
  {
    what: 'options not an object',
    call: (k) => k.countPrimes(0, 1, 'hold' as never),
    error: TypeError,
    names: /^options /,
    nativeOnly: true,
  },
];

test('every bad input throws a TypeError or RangeError naming the argument (native sync, both modes)', () => {
  for (const c of cases) {
    for (const mode of ['hold', 'release'] as const) {
      assert.throws(
        () => c.call(kernels, { mode }),
        (e: unknown) => {
          assert.ok(e instanceof c.error, `${c.what} (${mode}): expected ${c.error.name}, got ${String(e)}`);
          assert.match((e as Error).message, c.names, `${c.what} (${mode})`);
          return true;
        },
      );
      assert.ok(main.isHeldByCurrentThread(), `${c.what}: the lock is still held`);
    }
  }
});

test('the async variants reject with the same errors (and never throw synchronously)', async () => {
  for (const c of cases) {
    const asyncApi = new Proxy(kernels, {
      get(target, key) {
        const fn = Reflect.get(target, `${String(key)}Async`) as unknown;
        return typeof fn === 'function' ? fn : Reflect.get(target, key);
      },
    });
    let promise: unknown;
    assert.doesNotThrow(() => {
      promise = c.call(asyncApi, undefined);
    }, c.what);
    await assert.rejects(promise as Promise<unknown>, (e: unknown) => {
      assert.ok(e instanceof c.error, `${c.what}: expected ${c.error.name}, got ${String(e)}`);
      assert.match((e as Error).message, c.names, c.what);
      return true;
    });
  }
});

test('the twins check their arguments the same way', () => {
  for (const c of cases.filter((x) => !x.nativeOnly)) {
    assert.throws(
      () => c.call(reference, undefined),
      (e: unknown) => {
        assert.ok(e instanceof c.error, `${c.what}: expected ${c.error.name}, got ${String(e)}`);
        assert.match((e as Error).message, c.names, c.what);
        return true;
      },
    );
  }
});

test('RefHeap rejects bad sizes, strategies and counts', () => {
  assert.throws(() => new RefHeap(0), RangeError);
  assert.throws(() => new RefHeap('8' as never), TypeError);
  const heap = new RefHeap(4);
  assert.throws(() => heap.storm({ strategy: 'sloppy' as never }), { name: 'RangeError', message: /^strategy / });
  assert.throws(() => heap.storm({ strategy: 3 as never }), { name: 'TypeError', message: /^strategy / });
  assert.throws(() => heap.storm({ strategy: 'atomic', threads: 0 }), { name: 'RangeError', message: /^threads / });
  assert.throws(() => heap.storm({ strategy: 'atomic', pairsPerThread: -1 }), {
    name: 'RangeError',
    message: /^pairsPerThread /,
  });
  assert.throws(() => heap.count(4), { name: 'RangeError', message: /^index / });
  assert.throws(() => heap.count(NaN), { name: 'RangeError', message: /^index / });
});
