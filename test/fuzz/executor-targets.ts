// Fuzz targets for the executors: submit() with random tasks and arguments on a thread pool and a
// process pool (and map(), wait(), asCompleted() with random inputs). A submit either throws a clean
// Error at once or returns a future that settles exactly once; an echo task returns its arguments
// as a structured clone (threads) or V8 serialization (processes) would; the pools never break.
import { isDeepStrictEqual } from 'node:util';
import v8 from 'node:v8';
import fc from 'fast-check';
import { asCompleted, Future, ProcessPoolExecutor, ThreadPoolExecutor, transfer, wait } from 'gil-lab';
import { faultTask, watch, within } from '../fixtures/fault-helpers.js';
import { checkCleanError, FuzzViolation, outcomeOf, runCase, type FuzzContext } from './harness.js';
import type { FuzzTarget } from './native-targets.js';
import { anyArgs, anyNumber, anyString, anyValue, describe } from './values.js';

type Pools = { thread: ThreadPoolExecutor; process: ProcessPoolExecutor };
let pools: Pools | undefined;
function getPools(): Pools {
  pools ??= {
    thread: new ThreadPoolExecutor({ maxWorkers: 2, abortGraceMs: 100 }),
    process: new ProcessPoolExecutor({ maxWorkers: 1, abortGraceMs: 100 }),
  };
  return pools;
}

export async function closeExecutorPools(): Promise<void> {
  if (pools === undefined) return;
  const { thread, process } = pools;
  pools = undefined;
  await within(Promise.all([thread.shutdown(), process.shutdown()]), 30_000, 'shutting the fuzz pools down');
}

const anyTask: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<unknown>('echo') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>('countPrimes', 'spin', 'sum', 'sha256Chain', 'sleep', 'reference.countPrimes'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      faultTask('missingExport'),
      faultTask('HOSTILE_THROWS'), // an export that is not a function
      { module: faultTask('echo').module, export: '' },
      { module: 'relative/path.js' },
      { module: 'file:///nonexistent/gil-lab.js', export: 'x' },
      { module: new URL('https://example.com/x.js') },
      new URL('file:///x.js'),
      () => 1,
    ),
  },
  { weight: 1, arbitrary: anyString },
  { weight: 1, arbitrary: anyValue },
);

/** An argument list, sometimes with a transfer() marker around a buffer. */
const anySubmitArgs: fc.Arbitrary<unknown[]> = fc.oneof(
  { weight: 5, arbitrary: anyArgs(4) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(anyArgs(2), fc.integer({ min: 0, max: 64 }))
      .map(([args, n]) => [...args, transfer(new Uint8Array(n).fill(7))]),
  },
  { weight: 1, arbitrary: fc.tuple(anyNumber, anyNumber).map((a) => [...a]) },
);

/** What the echo task should give back: the arguments after a clone (threads) or V8 serialization (processes). */
function expectedEcho(kind: keyof Pools, args: unknown[]): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: kind === 'thread' ? structuredClone(args) : v8.deserialize(v8.serialize(args)) };
  } catch {
    return { ok: false };
  }
}

const submitTarget: FuzzTarget = {
  name: 'executors submit',
  weight: 4,
  property: (ctx: FuzzContext) =>
    fc.asyncProperty(
      fc.constantFrom<keyof Pools>('thread', 'process'),
      anyTask,
      anySubmitArgs,
      async (kind, rawTask, args) => {
        const label = `${kind} pool: submit(${describe(rawTask)}, ${args.map((a) => describe(a)).join(', ')})`;
        await runCase(ctx, label, async () => {
          const pool = getPools()[kind];
          const task = rawTask === 'echo' ? faultTask('echo') : rawTask;
          const hasMarker = args.some(
            (a) => a !== null && typeof a === 'object' && Object.getOwnPropertySymbols(a).length > 0,
          );
          const expected = rawTask === 'echo' && !hasMarker ? expectedEcho(kind, args) : undefined;
          const submitted = await outcomeOf(() => pool.submit(task as never, ...args));
          ctx.tally.count('executors submit', submitted);
          if (!submitted.ok) return void checkCleanError(submitted.error, label);
          const future = submitted.value as Future<unknown>;
          const w = watch(future, label);
          // A valid kernel call may run for long: give it a moment, then abort it.
          const quick = await Promise.race([
            w.settled.then(() => true),
            new Promise((r) => setTimeout(() => r(false), 300)),
          ]);
          if (!quick) await within(future.abort({ graceMs: 100 }), 10_000, `${label}: abort()`);
          await within(w.settled, 10_000, `${label}: the future`);
          await new Promise((r) => setImmediate(r));
          if (w.settles !== 1 || w.doneCallbacks !== 1) {
            throw new FuzzViolation(`${label}: settled ${w.settles} times, done callbacks ${w.doneCallbacks}`);
          }
          const outcome = w.outcome!;
          if (!outcome.ok) {
            checkCleanError(outcome.error, `${label} (future)`);
          } else if (expected?.ok && !isDeepStrictEqual(outcome.value, expected.value)) {
            throw new FuzzViolation(
              `${label}: echo returned ${describe(outcome.value)}, expected ${describe(expected.value)}`,
            );
          } else if (expected?.ok) {
            ctx.tally.checked('echo = clone of the arguments');
          }
          if (pool.broken) throw new FuzzViolation(`${label}: the pool broke`);
        });
      },
    ),
  teardown: closeExecutorPools,
};

/** map(), wait() and asCompleted() with random inputs and options. */
const combinatorTarget: FuzzTarget = {
  name: 'executors map/wait/asCompleted',
  weight: 1,
  property: (ctx: FuzzContext) =>
    fc.asyncProperty(
      fc.constantFrom('map', 'wait', 'asCompleted'),
      fc.oneof(fc.array(fc.oneof(anyNumber, anyString), { maxLength: 6 }), anyValue),
      fc.oneof(
        fc.record(
          {
            chunksize: fc.oneof(fc.integer({ min: 1, max: 4 }), anyValue),
            timeoutMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyValue),
            spread: fc.oneof(fc.boolean(), anyValue),
            buffersize: fc.oneof(fc.integer({ min: 1, max: 4 }), anyValue),
            returnWhen: fc.oneof(fc.constantFrom('FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED'), anyValue),
          },
          { requiredKeys: [] },
        ),
        anyValue,
      ),
      fc.boolean(),
      async (what, items, options, futuresFromItems) => {
        const label = `thread pool: ${what}(${describe(items)}, ${describe(options)})`;
        await runCase(ctx, label, async () => {
          const pool = getPools().thread;
          const outcome = await outcomeOf(async () => {
            if (what === 'map') {
              const out: unknown[] = [];
              for await (const v of pool.map(faultTask('echo'), items as never, options as never)) out.push(v);
              return out;
            }
            const list =
              futuresFromItems && Array.isArray(items)
                ? items.map((x) => pool.submit(faultTask('echo'), x))
                : (items as Iterable<Future<unknown>>);
            if (what === 'wait') return wait(list, options as never);
            const out: unknown[] = [];
            for await (const f of asCompleted(list, options as never)) out.push(f);
            return out;
          });
          ctx.tally.count('executors map/wait/asCompleted', outcome);
          if (!outcome.ok) checkCleanError(outcome.error, label);
          if (pool.broken) throw new FuzzViolation(`${label}: the pool broke`);
        });
      },
    ),
  teardown: closeExecutorPools,
};

export const EXECUTOR_TARGETS: readonly FuzzTarget[] = [submitTarget, combinatorTarget];
