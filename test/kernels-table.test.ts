// The kernel table (src/kernels/table.ts) and the addon's (GIL_KERNELS in native/addon/kernels.cpp)
// list the same kernels, in the same order, with the same arities where the TypeScript side passes
// its arguments through unchanged; everything per kernel derives from these two.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernels, reference } from 'gil-lab';
import { native } from '#internal/native';
import { descriptorOf, KERNEL_NAMES, TWIN_NAMES } from '#internal/kernels/table';
import { kernelNames } from '#internal/executors/builtin-kernels';

test('the TypeScript kernel table and the addon export the same kernels in the same order', () => {
  assert.deepEqual(
    native.kernels.table.map((row) => row.name),
    KERNEL_NAMES,
  );
});

test('a kernel that passes its arguments through takes as many as the addon says', () => {
  for (const row of native.kernels.table) {
    const d = descriptorOf(row.name as (typeof KERNEL_NAMES)[number]);
    if (d.toNative === undefined) assert.equal(d.arity, row.arity, row.name);
    else assert.ok(row.arity >= d.arity, `${row.name}: toNative flattens, it never drops arguments`);
  }
});

test('every table entry is a native function, sync and async, and a built-in task', () => {
  const addon = native.kernels as unknown as Record<string, unknown>;
  const wrapped = kernels as unknown as Record<string, unknown>;
  for (const name of KERNEL_NAMES) {
    for (const variant of [name, `${name}Async`]) {
      assert.equal(typeof addon[variant], 'function', `addon kernels.${variant}`);
      assert.equal(typeof wrapped[variant], 'function', `kernels.${variant}`);
    }
    assert.ok(kernelNames().has(name), `task ${name}`);
  }
  for (const name of TWIN_NAMES) {
    assert.equal(typeof (reference as unknown as Record<string, unknown>)[name], 'function', `reference.${name}`);
    assert.ok(kernelNames().has(`reference.${name}`), `task reference.${name}`);
  }
  assert.equal(kernelNames().size, KERNEL_NAMES.length + TWIN_NAMES.length);
});

test('nothing outside the table is a kernel: the wrappers have only the table and the extras', () => {
  const extras = new Set(['spinIterationsPerNs', 'RefHeap', 'AbortFlag']);
  const names = new Set<string>(KERNEL_NAMES.flatMap((n) => [n, `${n}Async`]));
  for (const key of Object.keys(kernels)) assert.ok(names.has(key) || extras.has(key), `kernels.${key}`);
  const twinExtras = new Set(['spinIterationsPerNs', 'Sha256', 'SLICE_BUDGETS']);
  for (const key of Object.keys(reference))
    assert.ok((TWIN_NAMES as string[]).includes(key) || twinExtras.has(key), `reference.${key}`);
});

test('every bench case (quick) runs natively and as its twin, with the same result', async () => {
  const { Interpreter } = await import('gil-lab');
  const main = Interpreter.main();
  main.acquire();
  try {
    for (const name of TWIN_NAMES) {
      const bench = descriptorOf(name).bench;
      if (bench === undefined) continue;
      const { args, size } = bench(true);
      assert.equal(typeof size, 'string');
      const call = (table: object) => (table as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      const native = call(kernels);
      const twin = call(reference);
      if (name === 'spin') continue; // steps at each side's own calibrated rate
      assert.deepEqual(twin, native, name);
    }
  } finally {
    main.release();
  }
});

test("the twins' argument limits are the addon's", async () => {
  const v = await import('#internal/kernels/validate');
  assert.deepEqual(
    { ...native.kernels.limits },
    {
      twoTo53: v.TWO_TO_53,
      maxIoBytes: v.MAX_IO_BYTES,
      maxSleepNs: v.MAX_SLEEP_NS,
      maxMatmulN: v.MAX_MATMUL_N,
      maxMandelbrotSide: v.MAX_MANDELBROT_SIDE,
      maxMandelbrotPixels: v.MAX_MANDELBROT_PIXELS,
    },
  );
});

test('the generated wrappers carry their kernel names', () => {
  for (const name of KERNEL_NAMES) {
    assert.equal((kernels as unknown as Record<string, () => void>)[name]!.name, name);
    assert.equal((kernels as unknown as Record<string, () => void>)[`${name}Async`]!.name, `${name}Async`);
  }
  for (const name of TWIN_NAMES) assert.equal((reference as unknown as Record<string, () => void>)[name]!.name, name);
});
