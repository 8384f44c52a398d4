// The C extension API's capsule: extensionApi() hands out a type-tagged External that
// gil_lab_import() (native/include/gil_lab.h) accepts, and refuses anything else — other Externals,
// plain values, a table of another version — so an addon reports a clear error instead of calling
// through a wrong table. Pointers that are not interpreters give error codes, never a crash.
// Everything here goes through examples/extension, an addon built against the header alone.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { extensionApi, extensionApiVersion, Interpreter } from 'gil-lab';
import {
  buildExample,
  exampleUrl,
  loadApiProbe,
  missingToolchain,
  type ApiProbe,
  type ExampleModule,
} from './fixtures/extension-example.js';

const skip = missingToolchain() ?? false;

describe('extension API capsule', { skip }, () => {
  let example: ExampleModule;
  let probe: ApiProbe;
  before(async () => {
    buildExample();
    example = (await import(exampleUrl('index.js').href)) as ExampleModule;
    probe = loadApiProbe();
  });

  it('is an External that gil_lab_import() accepts, of GIL_LAB_API_VERSION 2', () => {
    const capsule = extensionApi();
    assert.equal(typeof capsule, 'object');
    assert.equal(Object.keys(capsule).length, 0, 'opaque: nothing to see from JavaScript');
    assert.equal(extensionApiVersion(), 2);
    assert.equal(probe.imports(capsule), true);
    assert.equal(probe.imports(extensionApi()), true, 'every capsule carries the same table');
  });

  it('gives the example its table: it computes under the main interpreter lock', () => {
    const main = Interpreter.main();
    main.resetStats();
    // 1..27: 27 takes 111 steps, the longest below 28; 387 steps in all.
    const held = example.stoppingTimes(1, 28, { mode: 'hold' });
    const released = example.stoppingTimes(1, 28, { mode: 'release' });
    for (const r of [held, released]) {
      assert.deepEqual(
        { count: r.count, totalSteps: r.totalSteps, maxSteps: r.maxSteps, argMax: r.argMax },
        { count: 27, totalSteps: 387, maxSteps: 111, argMax: 27 },
      );
      assert.equal(r.acquiredLock, true, 'the lock was free, so the kernel took it');
      assert.equal(r.aborted, false);
    }
    assert.equal(main.isHeldByCurrentThread(), false, 'and let it go again');
    // hold: acquire once; release: acquire on entry and again after Py_END_ALLOW_THREADS.
    assert.ok(main.stats().acquisitions >= 3, `acquisitions: ${main.stats().acquisitions}`);
  });

  it('keeps the lock held when the caller already holds it (PyGILState_Ensure)', () => {
    const main = Interpreter.main();
    main.acquire();
    try {
      const r = example.stoppingTimes(1, 1000, { mode: 'release' });
      assert.equal(r.acquiredLock, false);
      assert.equal(main.isHeldByCurrentThread(), true, 'still held after the call');
    } finally {
      main.release();
    }
  });

  it('uses another interpreter by id, and rejects an unknown id with a RangeError', () => {
    const other = new Interpreter();
    try {
      other.resetStats();
      const r = example.stoppingTimes(1, 100, { mode: 'hold', interpreterId: other.id });
      assert.equal(r.count, 99);
      assert.equal(other.stats().acquisitions, 1, 'the kernel took that interpreter’s lock');
    } finally {
      other.destroy();
    }
    assert.throws(() => example.stoppingTimes(1, 100, { interpreterId: other.id }), {
      name: 'RangeError',
      message: `interpreterId: no interpreter with id ${other.id}`,
    });
  });

  it('refuses values that are not gil-lab capsules: NULL from gil_lab_import, a clear error from the example', () => {
    const notCapsules: [string, unknown][] = [
      ['a plain object', {}],
      ['null', null],
      ['a number', 42],
      ['a string', 'gil-lab'],
      ['an External without a type tag', probe.forge('untagged')],
      ['an External tagged by someone else', probe.forge('other-tag')],
      ['gil-lab’s tag on a table older than the header', probe.forge('wrong-version')],
      ['the version-1 table (for addons built against the version-1 header)', extensionApi(1)],
    ];
    for (const [what, value] of notCapsules) {
      assert.equal(probe.imports(value), false, `gil_lab_import accepted ${what}`);
      assert.throws(
        () => example.addon.init(value),
        (e: Error) =>
          e instanceof TypeError && /not a gil-lab extension API capsule of version 2 or later/.test(e.message),
        what,
      );
    }
    assert.throws(() => example.addon.init(probe.forge('wrong-version')), /rebuild this addon/);
    // A failed init() leaves the table imported before in place.
    assert.equal(example.stoppingTimes(1, 28).totalSteps, 387);
  });

  it('answers pointers that are not interpreters with GIL_LAB_ERR_NO_INTERPRETER', () => {
    const r = probe.bogusPointers(extensionApi());
    assert.deepEqual(
      { acquire: r.acquire, release: r.release, checkpoint: r.checkpoint, held: r.held },
      { acquire: -3, release: -3, checkpoint: -3, held: -3 },
    );
    assert.equal(r.byIdIsNull, 1, 'interpreter_by_id of an unknown id is NULL');
    assert.equal(r.mainIsNull, 0);
    assert.match(String(r.message), /no such interpreter/);
  });

  it('reports lock misuse through the table as error codes', () => {
    const r = probe.misuse(extensionApi());
    assert.deepEqual(
      { ...r, notHeldMessage: undefined, alreadyHeldMessage: undefined },
      {
        releaseUnheld: -1, // GIL_LAB_ERR_NOT_HELD
        checkpointUnheld: -1,
        heldBefore: 0,
        acquire: 0,
        heldWhileHeld: 1,
        acquireAgain: -2, // GIL_LAB_ERR_ALREADY_HELD
        checkpointHeld: 0, // nobody asked for the lock: no yield
        release: 0,
        heldAfter: 0,
        notHeldMessage: undefined,
        alreadyHeldMessage: undefined,
      },
    );
    assert.match(String(r.notHeldMessage), /does not hold the interpreter lock/);
    assert.match(String(r.alreadyHeldMessage), /already holds/);
    assert.equal(Interpreter.main().isHeldByCurrentThread(), false);
  });

  it('checks its arguments: TypeError / RangeError naming the argument', () => {
    const cases: [unknown[], string, RegExp][] = [
      [[0, 5, 'hold'], 'RangeError', /^lo must be an integer between 1 and 4294967296, got 0$/],
      [[1.5, 5, 'hold'], 'RangeError', /^lo must be an integer/],
      [[1, '5', 'hold'], 'TypeError', /^hi must be an integer, got string$/],
      [[1, 2 ** 32 + 1, 'hold'], 'RangeError', /^hi must be an integer between 1 and 4294967296/],
      [[5, 1, 'hold'], 'RangeError', /^hi must be >= lo$/],
      [[1, 5, 'both'], 'RangeError', /^mode must be 'hold' or 'release', got 'both'$/],
      [[1, 5, 7], 'TypeError', /^mode must be a string, got number$/],
      [[1, 5, 'hold', -1], 'RangeError', /^interpreterId must be an integer between 0 and 4294967295/],
      [[1, 5, 'hold', undefined, new Uint8Array(4)], 'TypeError', /^abortFlag must be an Int32Array, got object$/],
      [[1, 5, 'hold', undefined, new Int32Array(0)], 'RangeError', /^abortFlag must have at least one element$/],
    ];
    for (const [args, name, message] of cases) {
      assert.throws(
        () => example.addon.stoppingTimes(...args),
        (e: Error) => e.name === name && message.test(e.message),
        `stoppingTimes(${args.map((a) => String(a)).join(', ')})`,
      );
    }
    assert.equal(Interpreter.main().isHeldByCurrentThread(), false, 'no lock left behind by a failed call');
  });
});
