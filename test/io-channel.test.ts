// The I/O channel: opened once, many round trips on it, each letting go of the lock; bad input is
// refused naming the argument; an interrupt ends a wait and spends the channel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, IoChannel, isAbortError } from 'gil-lab';

test('one channel carries many round trips, releasing the lock around each one', async () => {
  const interp = new Interpreter();
  await interp.acquireAsync();
  const channel = new IoChannel({ maxBytes: 256 });
  try {
    const before = interp.stats().acquisitions;
    for (let call = 0; call < 3; call++) {
      assert.deepEqual(channel.roundTrips(200, 256, { mode: 'release', interpreter: interp }), {
        roundTrips: 200,
        bytes: 200 * 256,
      });
    }
    // Each round trip let go of the lock and took it back: one acquisition each.
    assert.equal(interp.stats().acquisitions - before, 600);
    assert.equal(interp.isHeldByCurrentThread(), true);
    // Hold mode blocks holding it: no acquisitions.
    const held = interp.stats().acquisitions;
    channel.roundTrips(50, 8, { mode: 'hold', interpreter: interp });
    assert.equal(interp.stats().acquisitions, held);
  } finally {
    channel.close();
    interp.release();
    interp.destroy();
  }
});

test('bad channel input is refused with errors that name the argument', async () => {
  assert.throws(() => new IoChannel({ maxBytes: 0 }), { name: 'RangeError', message: /maxBytes/ });
  assert.throws(() => new IoChannel({ maxBytes: '8' as unknown as number }), {
    name: 'TypeError',
    message: /maxBytes/,
  });
  assert.throws(() => new IoChannel(7 as never), { name: 'TypeError', message: /options/ });
  const interp = new Interpreter();
  await interp.acquireAsync();
  const channel = new IoChannel({ maxBytes: 16 });
  try {
    const on = { interpreter: interp, mode: 'release' as const };
    assert.throws(() => channel.roundTrips(1, 17, on), { name: 'RangeError', message: /bytes.*16/ });
    assert.throws(() => channel.roundTrips(1, 0, on), { name: 'RangeError', message: /bytes/ });
    assert.throws(() => channel.roundTrips(-1, 8, on), { name: 'RangeError', message: /count/ });
    assert.throws(() => channel.roundTrips(1, 8, { ...on, mode: 'x' as never }), /mode/);
    channel.close();
    channel.close();
    assert.equal(channel.closed, true);
    assert.throws(() => channel.roundTrips(1, 8, on), /the channel is closed/);
  } finally {
    interp.release();
    interp.destroy();
  }
});

test('without the lock a channel round trip says to acquire it', () => {
  const interp = new Interpreter();
  const channel = new IoChannel();
  try {
    assert.throws(() => channel.roundTrips(1, 8, { interpreter: interp }), /does not hold/);
  } finally {
    channel.close();
    interp.destroy();
  }
});

test('interrupt() ends the next round trip with an AbortError and spends the channel', async () => {
  const interp = new Interpreter();
  await interp.acquireAsync();
  const channel = new IoChannel();
  try {
    channel.interrupt();
    assert.throws(
      () => channel.roundTrips(10, 8, { interpreter: interp, mode: 'release' }),
      (e: unknown) => isAbortError(e),
    );
    assert.equal(interp.isHeldByCurrentThread(), true, 'the lock is back with the caller after the abort');
    assert.equal(channel.spent, true);
    assert.throws(() => channel.roundTrips(1, 8, { interpreter: interp }), /open a new one/);
  } finally {
    channel.close();
    interp.release();
    interp.destroy();
  }
});

test('a channel left open does not block the exit of a worker or of the process', async () => {
  const { Worker } = await import('node:worker_threads');
  const { spawnSync } = await import('node:child_process');
  const url = import.meta.resolve('gil-lab');
  const body = `
    const { Interpreter, IoChannel } = await import(${JSON.stringify(url)});
    const interp = Interpreter.main();
    interp.acquire();
    const channel = new IoChannel({ maxBytes: 64 });
    channel.roundTrips(10, 64, { mode: 'release' });
    interp.release();
    globalThis.keep = channel; // never closed
  `;
  const worker = new Worker(`(async () => { ${body} })()`, { eval: true });
  const code = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
  assert.equal(code, 0);
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', body], { timeout: 10_000 });
  assert.equal(child.signal, null, 'the process exited by itself within 10 s');
  assert.equal(child.status, 0, child.stderr.toString());
});
