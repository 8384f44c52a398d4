// SharedMemory names: "." and ".." (the directory /dev/shm itself and its parent, never a segment)
// get a clear RangeError, and the length limit is stated in the unit it is checked in. The limit is
// on bytes of UTF-8 (what shm_open sees), so a name of 128 'é' (128 characters, 256 bytes) is
// refused by a message that says bytes, and one of 127 'é' (254 bytes) is accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedMemory } from 'gil-lab';

test('SharedMemory names "." and ".." are a clear RangeError', () => {
  for (const name of ['.', '..', '/.', '/..']) {
    for (const attempt of [
      () => SharedMemory.create(64, { name }),
      () => SharedMemory.attach(name),
      () => SharedMemory.unlink(name),
    ]) {
      assert.throws(
        attempt,
        (error: Error) => error instanceof RangeError && /'\.' and '\.\.'/.test(error.message),
        `name ${JSON.stringify(name)}`,
      );
    }
  }
});

test('the SharedMemory name length limit is stated in bytes, the unit it is checked in', () => {
  const tooLong = 'é'.repeat(128); // 128 characters, 256 bytes of UTF-8
  assert.throws(
    () => SharedMemory.create(64, { name: tooLong }),
    (error: Error) => error instanceof RangeError && /254 bytes/.test(error.message) && /256 bytes/.test(error.message),
  );
  assert.throws(() => SharedMemory.create(64, { name: 'x'.repeat(255) }), /254 bytes/);

  const longest = `${'é'.repeat(127)}`; // 254 bytes: the longest name there is
  const shm = SharedMemory.create(64, { name: longest });
  try {
    assert.equal(shm.name, longest);
    const other = SharedMemory.attach(longest);
    other.close();
  } finally {
    shm.close();
    shm.unlink();
  }
});
