// The TypeScript twins of the native kernels: the "interpreted" versions.
//
// Each twin runs the same algorithm as its C++ kernel (native/core/kernels), on the calling thread,
// under the interpreter's lock, and calls `interpreter.checkpoint()` between slices of the same size
// as the native kernel's — the eval-breaker check interpreted code makes on loop back-edges. They
// return the same results:
//  - integer kernels (countPrimes, spinIterations, sha256Chain, fileRead): bit for bit;
//  - floating-point kernels (mandelbrot, matmul, sum, triad): also bit for bit, because both sides
//    evaluate the same IEEE-754 double operations in the same order (the C++ is compiled without
//    fused multiply-add, and sum's 8-lane order is fixed). The documented tolerance is therefore
//    zero; should a platform's compiler contract a*b+c into one rounding anyway, matmul and triad
//    would differ by at most one rounding per multiply-add (relative 2^-52 per term), and mandelbrot
//    counts could differ at a few boundary pixels.
// Blocking I/O other than file reads has no twin: the waiting is done by the operating system.
//
// These functions are pure TypeScript (no addon); src/kernels/index.ts wraps them with defaults
// (the main interpreter) as `reference`.
import { openSync, closeSync, readSync } from 'node:fs';

import { KernelAbortError } from './abort.js';
import {
  checkFileRead,
  checkInteger,
  checkMandelbrot,
  checkMatmul,
  checkRange,
  checkTriad,
  checkTypedArray,
  MAX_SLEEP_NS,
  TWO_TO_53,
  type MandelbrotParams,
} from './validate.js';

/** The interpreter's eval-breaker check; an `Interpreter` satisfies it. */
export interface Checkpointer {
  checkpoint(): boolean;
}

/** Work per slice: the same numbers as native/core/kernels/kernels.h (a test checks they agree). */
export const SLICE_BUDGETS = {
  primeDivisions: 2048,
  mandelbrotIterations: 2048,
  sha256Blocks: 16,
  matmulMultiplyAdds: 16384,
  matmulBlock: 64,
  sumElements: 8192,
  triadElements: 4096,
  spinIterations: 4096,
} as const;

export const SPIN_SEED = 2463534242;

/** A checkpointer that never yields: for running a twin outside any interpreter. */
export const NO_INTERPRETER: Checkpointer = { checkpoint: () => false };

// Between slices: the abort test, then the checkpoint (which may wait for the lock), then the abort
// test again — exactly what the native HoldHook does.
function sliceBoundary(kernel: string, interpreter: Checkpointer, aborted: (() => boolean) | undefined): void {
  if (aborted?.()) throw new KernelAbortError(`${kernel} was aborted`);
  interpreter.checkpoint();
  if (aborted?.()) throw new KernelAbortError(`${kernel} was aborted`);
}

/** The primes in [lo, hi) by classic trial division (see the native kernel). */
export function countPrimes(lo: number, hi: number, interpreter: Checkpointer, aborted?: () => boolean): number {
  [lo, hi] = checkRange(lo, hi);
  const budget = SLICE_BUDGETS.primeDivisions;
  let primes = 0;
  let work = 0;
  for (let n = lo < 2 ? 2 : lo; n < hi; n++) {
    let i = 2;
    let composite = false;
    for (;;) {
      const iEnd = i + (budget - work);
      const iStart = i;
      for (; i * i <= n && i !== iEnd; i++) {
        if (n % i === 0) {
          composite = true;
          break;
        }
      }
      work += i - iStart;
      if (composite || i * i > n) break;
      sliceBoundary('countPrimes', interpreter, aborted);
      work = 0;
    }
    if (!composite) primes++;
    if (++work >= budget) {
      sliceBoundary('countPrimes', interpreter, aborted);
      work = 0;
    }
  }
  return primes;
}

/** Escape-time Mandelbrot: the sum of the iteration counts (see the native kernel). */
export function mandelbrot(params: MandelbrotParams, interpreter: Checkpointer, aborted?: () => boolean): number {
  const { width, height, maxIter, x0, y0, x1, y1, image } = checkMandelbrot(params);
  const budget = SLICE_BUDGETS.mandelbrotIterations;
  const dx = (x1 - x0) / width;
  const dy = (y1 - y0) / height;
  let total = 0;
  let left = budget;
  for (let py = 0; py < height; py++) {
    const ci = y0 + py * dy;
    for (let px = 0; px < width; px++) {
      const cr = x0 + px * dx;
      let zr = 0;
      let zi = 0;
      let it = 0;
      let escaped = false;
      for (;;) {
        const chunkEnd = maxIter - it > left ? it + left : maxIter;
        const start = it;
        while (it < chunkEnd) {
          const zr2 = zr * zr;
          const zi2 = zi * zi;
          if (zr2 + zi2 > 4.0) {
            escaped = true;
            break;
          }
          zi = 2.0 * zr * zi + ci;
          zr = zr2 - zi2 + cr;
          it++;
        }
        left -= it - start;
        if (escaped || it === maxIter) break;
        sliceBoundary('mandelbrot', interpreter, aborted);
        left = budget;
      }
      total += it;
      if (image !== undefined) image[py * width + px] = it;
      if (left <= 1) {
        sliceBoundary('mandelbrot', interpreter, aborted);
        left = budget;
      } else {
        left--;
      }
    }
  }
  return total;
}

// --- SHA-256 (FIPS 180-4) ---------------------------------------------------------------------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Incremental SHA-256, the same structure as the C++ Sha256 class. */
export class Sha256 {
  readonly #h = new Int32Array(8);
  readonly #w = new Int32Array(64);
  readonly #buffer = new Uint8Array(64);
  #buffered = 0;
  #totalBytes = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < 8; i++) this.#h[i] = H0[i];
    this.#buffered = 0;
    this.#totalBytes = 0;
  }

  #compress(block: Uint8Array, at: number): void {
    const w = this.#w;
    for (let t = 0; t < 16; t++) {
      const p = at + 4 * t;
      w[t] = (block[p] << 24) | (block[p + 1] << 16) | (block[p + 2] << 8) | block[p + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 2];
      const y = w[t - 15];
      const s1 = ((x >>> 17) | (x << 15)) ^ ((x >>> 19) | (x << 13)) ^ (x >>> 10);
      const s0 = ((y >>> 7) | (y << 25)) ^ ((y >>> 18) | (y << 14)) ^ (y >>> 3);
      w[t] = (s1 + w[t - 7] + s0 + w[t - 16]) | 0;
    }
    const h = this.#h;
    let a = h[0],
      b = h[1],
      c = h[2],
      d = h[3],
      e = h[4],
      f = h[5],
      g = h[6],
      hh = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + hh) | 0;
  }

  update(data: Uint8Array, start = 0, end = data.length): void {
    this.#totalBytes += end - start;
    if (this.#buffered > 0) {
      const take = Math.min(end - start, 64 - this.#buffered);
      this.#buffer.set(data.subarray(start, start + take), this.#buffered);
      this.#buffered += take;
      start += take;
      if (this.#buffered < 64) return;
      this.#compress(this.#buffer, 0);
      this.#buffered = 0;
    }
    for (; end - start >= 64; start += 64) this.#compress(data, start);
    if (end > start) {
      this.#buffer.set(data.subarray(start, end), 0);
      this.#buffered = end - start;
    }
  }

  finish(digest: Uint8Array = new Uint8Array(32)): Uint8Array {
    const bits = this.#totalBytes * 8;
    const buffer = this.#buffer;
    buffer[this.#buffered++] = 0x80;
    if (this.#buffered > 56) {
      buffer.fill(0, this.#buffered);
      this.#compress(buffer, 0);
      this.#buffered = 0;
    }
    buffer.fill(0, this.#buffered, 56);
    // The length in bits, big-endian; exact for any length a Uint8Array can have.
    const high = Math.floor(bits / 2 ** 32);
    const low = bits >>> 0;
    buffer[56] = high >>> 24;
    buffer[57] = (high >>> 16) & 255;
    buffer[58] = (high >>> 8) & 255;
    buffer[59] = high & 255;
    buffer[60] = low >>> 24;
    buffer[61] = (low >>> 16) & 255;
    buffer[62] = (low >>> 8) & 255;
    buffer[63] = low & 255;
    this.#compress(buffer, 0);
    for (let i = 0; i < 8; i++) {
      const v = this.#h[i];
      digest[4 * i] = v >>> 24;
      digest[4 * i + 1] = (v >>> 16) & 255;
      digest[4 * i + 2] = (v >>> 8) & 255;
      digest[4 * i + 3] = v & 255;
    }
    this.reset();
    return digest;
  }
}

/** SHA-256 applied `rounds` times: round 1 hashes `data`, each further round the last digest. */
export function sha256Chain(
  data: Uint8Array,
  rounds: number,
  interpreter: Checkpointer,
  aborted?: () => boolean,
): Uint8Array {
  checkTypedArray('data', data, Uint8Array);
  checkInteger('rounds', rounds, 1, TWO_TO_53);
  const sliceBytes = SLICE_BUDGETS.sha256Blocks * 64;
  const s = new Sha256();
  let at = 0;
  let len = data.length;
  while (len > sliceBytes) {
    s.update(data, at, at + sliceBytes);
    at += sliceBytes;
    len -= sliceBytes;
    sliceBoundary('sha256Chain', interpreter, aborted);
  }
  s.update(data, at, at + len);
  const digest = s.finish();
  let blocks = Math.floor(len / 64) + 1;
  const previous = new Uint8Array(32);
  for (let r = 1; r < rounds; r++) {
    if (blocks >= SLICE_BUDGETS.sha256Blocks) {
      sliceBoundary('sha256Chain', interpreter, aborted);
      blocks = 0;
    }
    previous.set(digest);
    s.update(previous);
    s.finish(digest);
    blocks++;
  }
  return digest;
}

/** c = a * b (n x n, row-major), blocked like the native kernel; c[i][j] sums in ascending k. */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  n: number,
  interpreter: Checkpointer,
  aborted?: () => boolean,
): Float64Array {
  checkMatmul(a, b, n);
  const c = new Float64Array(n * n);
  const block = SLICE_BUDGETS.matmulBlock;
  let work = 0;
  for (let ii = 0; ii < n; ii += block) {
    const iEnd = Math.min(ii + block, n);
    for (let kk = 0; kk < n; kk += block) {
      const kEnd = Math.min(kk + block, n);
      for (let jj = 0; jj < n; jj += block) {
        const jEnd = Math.min(jj + block, n);
        for (let i = ii; i < iEnd; i++) {
          const ci = i * n;
          for (let k = kk; k < kEnd; k++) {
            const aik = a[i * n + k];
            const bk = k * n;
            for (let j = jj; j < jEnd; j++) c[ci + j] += aik * b[bk + j];
          }
          work += (kEnd - kk) * (jEnd - jj);
          if (work >= SLICE_BUDGETS.matmulMultiplyAdds) {
            sliceBoundary('matmul', interpreter, aborted);
            work = 0;
          }
        }
      }
    }
  }
  return c;
}

/** The sum with 8 interleaved lanes, combined ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). */
export function sum(a: Float64Array, interpreter: Checkpointer, aborted?: () => boolean): number {
  checkTypedArray('a', a, Float64Array);
  const n = a.length;
  let l0 = 0,
    l1 = 0,
    l2 = 0,
    l3 = 0,
    l4 = 0,
    l5 = 0,
    l6 = 0,
    l7 = 0;
  let i = 0;
  while (i < n) {
    const end = Math.min(n, i + SLICE_BUDGETS.sumElements);
    const vectorEnd = i + Math.floor((end - i) / 8) * 8;
    for (; i < vectorEnd; i += 8) {
      l0 += a[i];
      l1 += a[i + 1];
      l2 += a[i + 2];
      l3 += a[i + 3];
      l4 += a[i + 4];
      l5 += a[i + 5];
      l6 += a[i + 6];
      l7 += a[i + 7];
    }
    // The tail (last slice only): element i goes to lane i mod 8.
    if (i < end) l0 += a[i++];
    if (i < end) l1 += a[i++];
    if (i < end) l2 += a[i++];
    if (i < end) l3 += a[i++];
    if (i < end) l4 += a[i++];
    if (i < end) l5 += a[i++];
    if (i < end) l6 += a[i++];
    if (i < n) sliceBoundary('sum', interpreter, aborted);
  }
  const low = l0 + l1 + (l2 + l3);
  const high = l4 + l5 + (l6 + l7);
  return low + high;
}

/** STREAM triad: a[i] = b[i] + scalar * c[i]. */
export function triad(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  scalar: number,
  interpreter: Checkpointer,
  aborted?: () => boolean,
): void {
  checkTriad(a, b, c, scalar);
  const n = a.length;
  let i = 0;
  while (i < n) {
    const end = Math.min(n, i + SLICE_BUDGETS.triadElements);
    for (; i < end; i++) a[i] = b[i] + scalar * c[i];
    if (i < n) sliceBoundary('triad', interpreter, aborted);
  }
}

/** `iterations` xorshift32 steps from `seed` (nonzero): the final state. */
export function spinIterations(
  iterations: number,
  seed: number,
  interpreter: Checkpointer,
  aborted?: () => boolean,
): number {
  checkInteger('iterations', iterations, 0, TWO_TO_53);
  checkInteger('seed', seed, 1, 0xffffffff);
  let x = seed | 0;
  let left = iterations;
  while (left > 0) {
    const steps = Math.min(left, SLICE_BUDGETS.spinIterations);
    for (let s = 0; s < steps; s++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    left -= steps;
    if (left > 0) sliceBoundary('spinIterations', interpreter, aborted);
  }
  return x >>> 0;
}

let spinRate = 0;

/** xorshift32 steps per nanosecond in this JavaScript engine, measured once per thread (best of 7, after a warm-up). */
export function spinIterationsPerNs(): number {
  if (spinRate > 0) return spinRate;
  const steps = 1 << 18;
  // Warm up first, so that the timed runs measure optimized code, not the interpreter tiers.
  for (let run = 0; run < 20; run++) spinIterations(steps, SPIN_SEED, NO_INTERPRETER);
  let best = 0;
  for (let run = 0; run < 7; run++) {
    const t0 = process.hrtime.bigint();
    spinIterations(steps, SPIN_SEED, NO_INTERPRETER);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns > 0) best = Math.max(best, steps / ns);
  }
  spinRate = best > 0 ? best : 1;
  return spinRate;
}

/** About `ns` nanoseconds of busy work at this engine's calibrated rate: the steps taken. */
export function spin(ns: number, interpreter: Checkpointer, aborted?: () => boolean): number {
  checkInteger('ns', ns, 0, MAX_SLEEP_NS);
  const total = Math.round(ns * spinIterationsPerNs());
  spinIterations(total, SPIN_SEED, interpreter, aborted);
  return total;
}

/** Reads a file with readSync, `chunkBytes` per call, checkpointing between calls. */
export function fileRead(
  path: string,
  options: { offset?: number; length?: number; chunkBytes?: number; into?: Uint8Array } | undefined,
  interpreter: Checkpointer,
  aborted?: () => boolean,
): { bytesRead: number; reads: number } {
  const o = checkFileRead(path, options);
  let length = o.length ?? Number.POSITIVE_INFINITY;
  if (o.into !== undefined) length = Math.min(length, o.into.length);
  const scratch = new Uint8Array(o.into === undefined ? o.chunkBytes : 0);
  const fd = openSync(o.path, 'r');
  let bytesRead = 0;
  let reads = 0;
  try {
    while (bytesRead < length) {
      const want = Math.min(o.chunkBytes, length - bytesRead);
      const target = o.into ?? scratch;
      const at = o.into !== undefined ? bytesRead : 0;
      const r = readSync(fd, target, at, want, o.offset + bytesRead);
      if (r === 0) break;
      bytesRead += r;
      reads++;
      if (bytesRead < length) sliceBoundary('fileRead', interpreter, aborted);
    }
  } finally {
    closeSync(fd);
  }
  return { bytesRead, reads };
}
