// Native kernels and their TypeScript twins compute the same results: bit for bit for the integer
// kernels and, as documented in src/kernels/reference.ts, for the floating-point ones too.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Interpreter, kernels, reference, type KernelMode } from 'gil-lab';
import { native } from '#internal/native';
import { bytePattern } from './fixtures/kernel-helpers.js';

const main = Interpreter.main();
before(() => main.acquire());
after(() => main.release());

const MODES: KernelMode[] = ['hold', 'release'];

// An async kernel in hold mode runs on a pool thread that must take the lock itself: this thread
// lets go of it while waiting (as Python's event loop thread does while it waits in select()).
async function unheld<T>(run: () => Promise<T>): Promise<T> {
  main.release();
  try {
    return await run();
  } finally {
    main.acquire();
  }
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

test('the twins slice at the same work counts as the native kernels', () => {
  assert.deepEqual({ ...native.kernels.sliceBudgets }, { ...reference.SLICE_BUDGETS });
});

test('countPrimes: known counts, both arithmetic widths, twins agree', async () => {
  const cases: [number, number, number | undefined][] = [
    [0, 0, 0],
    [0, 2, 0],
    [0, 3, 1],
    [0, 100, 25],
    [0, 100_000, 9592],
    [100, 1000, 143],
    [2 ** 32 - 100, 2 ** 32, 4], // i*i must not wrap near the top of the 32-bit range
    [2 ** 32 - 100, 2 ** 32 + 200, 12], // crosses into 64-bit division
    [2 ** 40, 2 ** 40 + 30, undefined],
  ];
  for (const [lo, hi, expected] of cases) {
    const twin = reference.countPrimes(lo, hi);
    if (expected !== undefined) assert.equal(twin, expected, `reference [${lo}, ${hi})`);
    for (const mode of MODES) {
      assert.equal(kernels.countPrimes(lo, hi, { mode }), twin, `native ${mode} [${lo}, ${hi})`);
    }
  }
  assert.equal(await unheld(() => kernels.countPrimesAsync(0, 100_000)), 9592);
  assert.equal(await unheld(() => kernels.countPrimesAsync(0, 100_000, { mode: 'release' })), 9592);
});

test('mandelbrot: totals and images agree with the twin', async () => {
  const params = [
    { width: 160, height: 90, maxIter: 400 },
    { width: 37, height: 23, maxIter: 1, x0: -0.75, y0: 0.1, x1: -0.74, y1: 0.11 },
    { width: 64, height: 64, maxIter: 2000, x0: -0.7453, y0: 0.1127, x1: -0.7433, y1: 0.1147 },
  ];
  for (const p of params) {
    const twinImage = new Uint32Array(p.width * p.height);
    const total = reference.mandelbrot({ ...p, image: twinImage });
    let sum = 0;
    for (const v of twinImage) sum += v;
    assert.equal(sum, total);
    for (const mode of MODES) {
      const image = new Uint32Array(p.width * p.height);
      assert.equal(kernels.mandelbrot({ ...p, image }, { mode }), total);
      assert.deepEqual(image, twinImage);
    }
    assert.equal(await unheld(() => kernels.mandelbrotAsync(p)), total);
  }
});

test('sha256Chain: matches node:crypto and the twin', async () => {
  const inputs = [
    new Uint8Array(0),
    new TextEncoder().encode('abc'),
    bytePattern(55),
    bytePattern(64),
    bytePattern(100_003),
  ];
  for (const data of inputs) {
    let expected = createHash('sha256').update(data).digest();
    for (const rounds of [1, 2, 150]) {
      if (rounds > 1) {
        expected = createHash('sha256').update(data).digest();
        for (let r = 1; r < rounds; r++) expected = createHash('sha256').update(expected).digest();
      }
      assert.deepEqual(Buffer.from(reference.sha256Chain(data, rounds)), expected);
      for (const mode of MODES) assert.deepEqual(Buffer.from(kernels.sha256Chain(data, rounds, { mode })), expected);
    }
  }
  // The FIPS 180-4 example.
  assert.equal(
    Buffer.from(kernels.sha256Chain(new TextEncoder().encode('abc'), 1)).toString('hex'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  const big = bytePattern(300_000);
  assert.deepEqual(
    await unheld(() => kernels.sha256ChainAsync(big, 3, { mode: 'release' })),
    reference.sha256Chain(big, 3),
  );
  // A Buffer is a Uint8Array too.
  assert.deepEqual(
    kernels.sha256Chain(Buffer.from('abc'), 1),
    reference.sha256Chain(new TextEncoder().encode('abc'), 1),
  );
});

test('matmul: bitwise equal to the twin and to a naive triple loop', async () => {
  for (const n of [1, 3, 64, 65, 129]) {
    const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(0.37 * i) * 3.5);
    const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(0.11 * i) - 0.25);
    const naive = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
        naive[i * n + j] = s;
      }
    assert.ok(sameBits(reference.matmul(a, b, n), naive), `twin n=${n}`);
    for (const mode of MODES) assert.ok(sameBits(kernels.matmul(a, b, n, { mode }), naive), `native ${mode} n=${n}`);
    assert.ok(sameBits(await unheld(() => kernels.matmulAsync(a, b, n)), naive));
  }
});

test('sum and triad: bitwise equal to the twins', async () => {
  for (const length of [0, 1, 7, 8, 9, 65_536, 65_543, 1_000_003]) {
    const a = Float64Array.from({ length }, (_, i) => 1 / (1 + i) - (i % 3) * 0.125);
    const twin = reference.sum(a);
    for (const mode of MODES) assert.ok(Object.is(kernels.sum(a, { mode }), twin), `sum length ${length} ${mode}`);
    assert.ok(Object.is(await unheld(() => kernels.sumAsync(a)), twin));
    const b = Float64Array.from({ length }, (_, i) => i * 0.5);
    const c = Float64Array.from({ length }, (_, i) => 1 / (3 + i));
    const x = new Float64Array(length);
    const y = new Float64Array(length);
    reference.triad(x, b, c, 2.5);
    kernels.triad(y, b, c, 2.5, { mode: 'release' });
    assert.ok(sameBits(x, y), `triad length ${length}`);
    for (let i = 0; i < length; i += 997) assert.equal(y[i], b[i]! + 2.5 * c[i]!);
  }
  const exact = Float64Array.from({ length: 1_000_003 }, (_, i) => i);
  assert.equal(kernels.sum(exact), (1_000_003 * 1_000_002) / 2);
});

test('spin: the same xorshift32 states; spin(ns) takes the calibrated number of steps', async () => {
  for (const iterations of [0, 1, 8191, 8192, 100_000]) {
    const twin = reference.spinIterations(iterations);
    for (const mode of MODES) assert.equal(kernels.spinIterations(iterations, undefined, { mode }), twin);
    assert.equal(kernels.spinIterations(iterations, 12345), reference.spinIterations(iterations, 12345));
  }
  assert.equal(await unheld(() => kernels.spinIterationsAsync(100_000)), reference.spinIterations(100_000));
  const rate = kernels.spinIterationsPerNs();
  assert.ok(rate > 0);
  assert.equal(kernels.spin(2_000_000), Math.round(2_000_000 * rate));
  assert.equal(reference.spin(2_000_000), Math.round(2_000_000 * reference.spinIterationsPerNs()));
});

test('fileRead: the same bytes as the twin, into a buffer or discarded', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gil-lab-kernels-'));
  try {
    const file = path.join(dir, 'data.bin');
    const content = bytePattern(300_000);
    writeFileSync(file, content);
    const mine = new Uint8Array(content.length);
    const theirs = new Uint8Array(content.length);
    const native1 = kernels.fileRead(file, { into: mine, chunkBytes: 65536 }, { mode: 'release' });
    const twin1 = reference.fileRead(file, { into: theirs, chunkBytes: 65536 });
    assert.deepEqual(native1, { bytesRead: content.length, reads: 5 });
    assert.deepEqual(twin1, native1);
    assert.deepEqual(mine, content);
    assert.deepEqual(theirs, content);
    const part = { offset: 1000, length: 5000, chunkBytes: 4096 };
    assert.deepEqual(kernels.fileRead(file, part), reference.fileRead(file, part));
    assert.deepEqual(await unheld(() => kernels.fileReadAsync(file, { offset: 299_990 })), { bytesRead: 10, reads: 1 });
    const into = new Uint8Array(100);
    await unheld(() => kernels.fileReadAsync(file, { into, offset: 7 }));
    assert.deepEqual(into, content.subarray(7, 107));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('blocking I/O kernels report what they did, in both modes', async () => {
  for (const mode of MODES) {
    assert.deepEqual(kernels.pipeRoundTrips(50, 100, { mode }), { roundTrips: 50, bytes: 5000 });
    assert.deepEqual(kernels.socketRoundTrips(50, 100, { mode }), { roundTrips: 50, bytes: 5000 });
    assert.ok(kernels.sleep(2_000_000, { mode }) >= 2_000_000);
  }
  assert.deepEqual(await unheld(() => kernels.pipeRoundTripsAsync(3, 1 << 20)), { roundTrips: 3, bytes: 3 << 20 });
  assert.deepEqual(await unheld(() => kernels.socketRoundTripsAsync(10, 10, { mode: 'release' })), {
    roundTrips: 10,
    bytes: 100,
  });
  assert.ok((await unheld(() => kernels.sleepAsync(1_000_000))) >= 1_000_000);
});
