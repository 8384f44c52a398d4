import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBench, selectSuites } from '#internal/bench/runner';

test('the floor suite times the Node-API no-op and a JavaScript no-op', async () => {
  let printed = '';
  const [result] = await runBench(['floor'], { maxTimeS: 0.05, stdout: (t) => (printed += t) });
  assert.ok(result);
  assert.equal(result.suite, 'floor');
  assert.deepEqual(result.cases.map((c) => c.name).sort(), ['JavaScript noop()', 'Node-API noop()']);
  for (const c of result.cases) {
    assert.ok(c.opsPerSec > 0 && Number.isFinite(c.opsPerSec), `${c.name}: ops/s ${c.opsPerSec}`);
    assert.ok(c.samples > 0, `${c.name}: no samples`);
    assert.ok(c.rmePercent >= 0);
  }
  assert.match(printed, /Node-API noop\(\)/);
  assert.match(printed, /ops\/s/);
});

test('an unknown suite is a RangeError naming the valid suites', () => {
  assert.throws(() => selectSuites(['nope']), { name: 'RangeError', message: /valid suites: .*floor/ });
});
