// Arbitraries for the fuzz suites: hostile JavaScript values of every type, numbers at the edges of
// every range, typed arrays of every kind (shared, detached, offset, empty), abort signals in every
// state, and strings that are almost valid names.
import fc from 'fast-check';

/** Numbers at the edges: signed zero, fractions, powers of two around int32/uint32/2^53, NaN, ±Infinity. */
export const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  -1.5,
  2,
  3,
  7,
  8,
  64,
  255,
  256,
  1000,
  4096,
  65535,
  65536,
  2 ** 24,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  1e9,
  2 ** 40,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  NaN,
  Infinity,
  -Infinity,
];

/** Small integers (where most valid arguments live) and edges. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -4, max: 300 }) },
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -70_000, max: 70_000 }) },
);

/**
 * Shared memory sizes: anyNumber, except that sizes a segment can really have beyond 16 MiB become
 * 16 MiB. Segments are reserved at create (no SIGBUS later), so every such size takes that much of
 * /dev/shm and memory for as long as the case runs; sizes past the largest ArrayBuffer stay, to check
 * the clean refusal.
 */
export const anyShmSize: fc.Arbitrary<number> = anyNumber.map((n) =>
  Number.isInteger(n) && n > 2 ** 24 && n <= 2 ** 33 ? 2 ** 24 : n,
);

/** A typed array whose buffer was detached (transferred away). */
export function detachedView<T extends ArrayBufferView>(make: (buffer: ArrayBuffer) => T): T {
  const buffer = new ArrayBuffer(16);
  const view = make(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

type TypedCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => ArrayBufferView;
const TYPED: ReadonlyArray<[string, TypedCtor, number]> = [
  ['Uint8Array', Uint8Array, 1],
  ['Int8Array', Int8Array, 1],
  ['Uint8ClampedArray', Uint8ClampedArray, 1],
  ['Uint16Array', Uint16Array, 2],
  ['Int16Array', Int16Array, 2],
  ['Uint32Array', Uint32Array, 4],
  ['Int32Array', Int32Array, 4],
  ['Float32Array', Float32Array, 4],
  ['Float64Array', Float64Array, 8],
  ['BigInt64Array', BigInt64Array as unknown as TypedCtor, 8],
];

/** Typed arrays of every element type and length 0..64, over an ArrayBuffer or a SharedArrayBuffer, at an offset, or detached. */
export const anyTypedArray: fc.Arbitrary<ArrayBufferView> = fc
  .record({
    type: fc.constantFrom(...TYPED),
    length: fc.oneof(fc.constantFrom(0, 1, 4, 9, 16, 64), fc.nat(70)),
    offsetElements: fc.constantFrom(0, 0, 0, 1, 3),
    backing: fc.constantFrom('array', 'array', 'shared', 'detached'),
    fill: fc.double({ min: -4, max: 4, noNaN: true }),
  })
  .map(({ type: [, Ctor, bytes], length, offsetElements, backing, fill }) => {
    const byteLength = (length + offsetElements) * bytes;
    if (backing === 'detached') return detachedView((b) => new Ctor(b));
    const buffer = backing === 'shared' ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength);
    const view = new Ctor(buffer, offsetElements * bytes, length);
    if (Ctor !== (BigInt64Array as unknown)) (view as unknown as { fill(v: number): void }).fill(fill);
    return view;
  });

function abortedSignal(reason: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

/** Every shape of "signal": none, live, already aborted (with odd reasons), flags, junk. */
export const anySignal: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(undefined),
  fc.constant('live').map(() => new AbortController().signal),
  fc.constantFrom<unknown>(undefined, 'a string reason', 42, null, new Error('reason')).map((r) => abortedSignal(r)),
  fc.constant('timeout').map(() => AbortSignal.timeout(1)),
  fc.constant('empty flag').map(() => new Int32Array(0)),
  fc.constant('raised flag').map(() => Int32Array.of(1)),
  fc.constantFrom<unknown>(null, 0, 'abort', {}, { aborted: true }, new Uint32Array(1), new Float64Array(1)),
);

/** Strings near the valid ones: empty, slashes, NUL, very long, non-ASCII, lone surrogates. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    '/',
    '//',
    'a/b',
    '\0',
    'a\0b',
    ' ',
    'x'.repeat(300),
    'é',
    '\ud800',
    'hold',
    'release',
    'cpython',
    'legacy',
    'fifo',
    'none',
    'CPython',
    'locked',
    'racy',
    'atomic',
    'biased',
    'create',
    'attach',
    'constructor',
    '__proto__',
    'toString',
  ),
);

class Weird {
  valueOf(): number {
    return 3;
  }
  toString(): string {
    return 'weird';
  }
}

/** Anything at all, weighted towards values that look almost right. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: anyNumber },
  { weight: 2, arbitrary: anyString },
  { weight: 2, arbitrary: anyTypedArray },
  { weight: 1, arbitrary: anySignal },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      undefined,
      null,
      true,
      false,
      0n,
      2n ** 64n,
      -1n,
      Symbol('fuzz'),
      [],
      [1, 2, 3],
      {},
      Object.create(null),
      new Weird(),
      new Date(0),
      /re/,
      new Map(),
      new ArrayBuffer(8),
      new SharedArrayBuffer(8),
      new DataView(new ArrayBuffer(8)),
      () => 1,
      async () => 1,
      Promise.resolve(1),
      new Error('an error as an argument'),
      new Proxy({}, {}),
    ),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 4 }) },
);

/** Argument lists of 0..max hostile values. */
export function anyArgs(max = 9): fc.Arbitrary<unknown[]> {
  return fc.array(anyValue, { maxLength: max });
}

/** A short, safe description of a value for failure messages. */
export function describe(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (ArrayBuffer.isView(value)) {
    const detached =
      value.byteLength === 0 && value.buffer.byteLength === 0 && !(value.buffer instanceof SharedArrayBuffer);
    return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength}${
      value.buffer instanceof SharedArrayBuffer ? ', shared' : ''
    }${value.byteOffset ? `, offset ${value.byteOffset}` : ''}${detached ? ', detached?' : ''})`;
  }
  if (value instanceof AbortSignal) return `AbortSignal(${value.aborted ? 'aborted' : 'live'})`;
  if (Array.isArray(value)) {
    return depth > 1 ? `[${value.length} items]` : `[${value.map((v) => describe(v, depth + 1)).join(', ')}]`;
  }
  try {
    if (depth > 1) return Object.prototype.toString.call(value);
    const entries = Object.entries(value as object)
      .slice(0, 8)
      .map(([k, v]) => `${k}: ${describe(v, depth + 1)}`);
    const name = (value as object).constructor?.name;
    return `${name && name !== 'Object' ? `${name} ` : ''}{${entries.join(', ')}}`;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
