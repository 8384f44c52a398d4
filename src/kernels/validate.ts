// Argument checks for the TypeScript side, with the same messages as the addon's
// (native/addon/common.h, kernels.cpp): a TypeError for a wrong type, a RangeError for a wrong
// value, each naming the argument.
//
// Who owns which check: the addon checks every argument that crosses into C++ (nothing crosses
// unchecked), and the TypeScript wrappers do not repeat those checks. This file serves the
// TypeScript twins (pure TypeScript, no addon: they must refuse the same inputs with the same
// messages) and the two options objects the wrappers unpack before the call (mandelbrot's params,
// fileRead's options). Its limits are the addon's `kernels.limits` (test/kernels-table.test.ts
// checks them); its messages are pinned by test/kernels-bad-input.test.ts for both sides.

function show(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

export function checkFinite(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be finite, got ${show(v)}`);
  return v;
}

export function checkInteger(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be an integer`);
  if (!(v >= min && v <= max) || !Number.isInteger(v)) {
    throw new RangeError(`${name} must be an integer between ${min} and ${max}, got ${show(v)}`);
  }
  return v;
}

/** True if the buffer behind `view` was detached (transferred): no new view can be made over it. */
export function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer;
  if (!(buffer instanceof ArrayBuffer)) return false; // a SharedArrayBuffer cannot be detached
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

type TypedArrayClass<T> = { new (length: number): T; readonly name: string };

export function checkTypedArray<T extends ArrayBufferView>(name: string, v: unknown, type: TypedArrayClass<T>): T {
  if (!(v instanceof (type as unknown as new (...args: never[]) => T))) {
    throw new TypeError(`${name} must be a ${type.name}`);
  }
  if (isDetached(v)) throw new TypeError(`${name} is backed by a detached ArrayBuffer`);
  return v;
}

export function checkObject(name: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object') throw new TypeError(`${name} must be an object`);
  return v as Record<string, unknown>;
}

export const TWO_TO_53 = 2 ** 53;
export const MAX_IO_BYTES = 64 * 1024 * 1024;
export const MAX_SLEEP_NS = 3600e9;
export const MAX_MATMUL_N = 46340;
export const MAX_MANDELBROT_SIDE = 65536;
export const MAX_MANDELBROT_PIXELS = 2 ** 28;

export interface MandelbrotParams {
  width: number;
  height: number;
  maxIter: number;
  /** The sampled rectangle [x0, x1) x [y0, y1); default [-2, 1) x [-1.5, 1.5). */
  x0?: number;
  y0?: number;
  x1?: number;
  y1?: number;
  /** If given (width*height elements), receives each pixel's iteration count, row-major. */
  image?: Uint32Array;
}

export interface CheckedMandelbrot {
  width: number;
  height: number;
  maxIter: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  image: Uint32Array | undefined;
}

export function checkMandelbrot(params: unknown): CheckedMandelbrot {
  const p = checkObject('params', params);
  const width = checkInteger('width', p.width, 1, MAX_MANDELBROT_SIDE);
  const height = checkInteger('height', p.height, 1, MAX_MANDELBROT_SIDE);
  const maxIter = checkInteger('maxIter', p.maxIter, 1, 0xffffffff);
  const x0 = checkFinite('x0', p.x0 ?? -2);
  const y0 = checkFinite('y0', p.y0 ?? -1.5);
  const x1 = checkFinite('x1', p.x1 ?? 1);
  const y1 = checkFinite('y1', p.y1 ?? 1.5);
  if (!(x0 < x1)) throw new RangeError(`x0 must be < x1 (got x0 ${x0}, x1 ${x1})`);
  if (!(y0 < y1)) throw new RangeError(`y0 must be < y1 (got y0 ${y0}, y1 ${y1})`);
  const pixels = width * height;
  if (pixels > MAX_MANDELBROT_PIXELS) {
    throw new RangeError(
      `width*height must be <= 2^28 pixels (an image of ${pixels} pixels needs ${pixels * 4} bytes)`,
    );
  }
  if (pixels * maxIter > TWO_TO_53) {
    throw new RangeError('maxIter: width*height*maxIter must be <= 2^53, so that the total is exact');
  }
  let image: Uint32Array | undefined;
  if (p.image !== undefined) {
    image = checkTypedArray('image', p.image, Uint32Array);
    if (image.length !== pixels) {
      throw new RangeError(`image must have width*height = ${pixels} elements, got ${image.length}`);
    }
  }
  return { width, height, maxIter, x0, y0, x1, y1, image };
}

export function checkRange(lo: unknown, hi: unknown): [number, number] {
  const l = checkInteger('lo', lo, 0, TWO_TO_53);
  const h = checkInteger('hi', hi, 0, TWO_TO_53);
  if (l > h) throw new RangeError(`lo must be <= hi (got lo ${l}, hi ${h})`);
  return [l, h];
}

export function checkMatmul(a: unknown, b: unknown, n: unknown): [Float64Array, Float64Array, number] {
  const fa = checkTypedArray('a', a, Float64Array);
  const fb = checkTypedArray('b', b, Float64Array);
  const size = checkInteger('n', n, 1, MAX_MATMUL_N);
  if (fa.length !== size * size) throw new RangeError(`a must have n*n = ${size * size} elements, got ${fa.length}`);
  if (fb.length !== size * size) throw new RangeError(`b must have n*n = ${size * size} elements, got ${fb.length}`);
  return [fa, fb, size];
}

export function checkTriad(
  a: unknown,
  b: unknown,
  c: unknown,
  scalar: unknown,
): [Float64Array, Float64Array, Float64Array, number] {
  const fa = checkTypedArray('a', a, Float64Array);
  const fb = checkTypedArray('b', b, Float64Array);
  const fc = checkTypedArray('c', c, Float64Array);
  const s = checkFinite('scalar', scalar);
  if (fb.length !== fa.length) {
    throw new RangeError(`b must have as many elements as a (${fa.length}), got ${fb.length}`);
  }
  if (fc.length !== fa.length) {
    throw new RangeError(`c must have as many elements as a (${fa.length}), got ${fc.length}`);
  }
  return [fa, fb, fc, s];
}

export interface FileReadOptions {
  /** Where to start reading; default 0. */
  offset?: number;
  /** How many bytes; default: to the end of the file (or of `into`). */
  length?: number;
  /** Bytes per read call (each one a blocking operation); default 64 KiB. */
  chunkBytes?: number;
  /** Where the data go; default: a scratch buffer (the read is done for its cost). */
  into?: Uint8Array;
}

export interface CheckedFileRead {
  path: string;
  offset: number;
  length: number | undefined;
  chunkBytes: number;
  into: Uint8Array | undefined;
}

export function checkFileRead(path: unknown, options: unknown): CheckedFileRead {
  if (typeof path !== 'string') throw new TypeError('path must be a string');
  if (path.length === 0) throw new RangeError('path must not be empty');
  if (path.includes('\0')) throw new RangeError('path must not contain NUL characters');
  const o = options === undefined ? {} : checkObject('options', options);
  const offset = o.offset === undefined ? 0 : checkInteger('offset', o.offset, 0, TWO_TO_53);
  const length = o.length === undefined ? undefined : checkInteger('length', o.length, 0, TWO_TO_53);
  const chunkBytes = o.chunkBytes === undefined ? 65536 : checkInteger('chunkBytes', o.chunkBytes, 1, MAX_IO_BYTES);
  const into = o.into === undefined ? undefined : checkTypedArray('into', o.into, Uint8Array);
  return { path, offset, length, chunkBytes, into };
}
