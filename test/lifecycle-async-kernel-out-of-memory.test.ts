// An async kernel whose private copy of a plain-ArrayBuffer array cannot be allocated used to abort
// the process (std::bad_alloc escaped a Node-API callback); the sync path already gave a RangeError.
// The child runs under `ulimit -v`, sized so that the array itself fits but its copy does not.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { describeOutcome, runLifecycleChild } from './fixtures/lifecycle-helpers.js';

const ARRAY_MIB = 768;

// AddressSanitizer reserves terabytes of shadow memory: no `ulimit -v` leaves it room to start.
const skip = !existsSync('/proc/self/status')
  ? 'needs /proc/self/status to size ulimit -v'
  : /asan/i.test(process.env.LD_PRELOAD ?? '')
    ? 'not under AddressSanitizer (its shadow memory does not fit any ulimit -v)'
    : false;

it(
  'an async kernel whose private array copy cannot be allocated rejects with a RangeError (no abort)',
  { skip },
  async () => {
    const probe = await runLifecycleChild(['vm-size']);
    const base = (probe.result as { vmSizeKb: number }).vmSizeKb;
    assert.ok(Number.isFinite(base), describeOutcome(probe));
    // Room for the array and half of its copy.
    const limitKb = Math.round(base + ARRAY_MIB * 1024 * 1.5);
    const o = await runLifecycleChild(['async-copy-out-of-memory', String(ARRAY_MIB)], { virtualMemoryKb: limitKb });
    assert.equal(o.timedOut, false, describeOutcome(o));
    assert.equal(o.signal, null, `the child must not abort: ${describeOutcome(o)}`);
    assert.equal(o.status, 0, describeOutcome(o));
    const r = o.result as { name: string; message: string };
    assert.equal(r.name, 'RangeError', JSON.stringify(r));
    assert.match(r.message, /sum/);
    assert.match(r.message, /out of memory/);
  },
);
