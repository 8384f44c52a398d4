// The command line's option strings: parsed into experiment options, or refused with a message that
// names the flag and the valid values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCliOptions, resolveOptions, MAX_WORKERS } from '#internal/experiments/index';

test('valid flags parse into options', () => {
  assert.deepEqual(
    parseCliOptions({
      workers: '4',
      policy: 'fifo',
      'switch-interval-ms': '0.5',
      size: 'medium',
      kernel: 'mandelbrot',
    }),
    { workers: 4, policy: 'fifo', switchIntervalMs: 0.5, size: 'medium', kernel: 'mandelbrot' },
  );
  assert.deepEqual(parseCliOptions({}), {});
});

test('bad flags are refused with the flag named', () => {
  for (const [values, message] of [
    [{ workers: '0' }, /--workers must be a whole number from 1 to 256, got '0'/],
    [{ workers: 'abc' }, /--workers .* got 'abc'/],
    [{ workers: '2.5' }, /--workers/],
    [{ workers: String(MAX_WORKERS + 1) }, /--workers/],
    [{ policy: 'gil' }, /--policy must be one of cpython, legacy, fifo, none, got 'gil'/],
    [{ 'switch-interval-ms': '-1' }, /--switch-interval-ms .* got '-1'/],
    [{ 'switch-interval-ms': 'soon' }, /--switch-interval-ms/],
    [{ 'switch-interval-ms': '' }, /--switch-interval-ms/],
    [{ size: 'huge' }, /--size must be one of small, medium, large/],
    [{ kernel: 'fib' }, /--kernel must be one of countPrimes, mandelbrot, sha256Chain, matmul/],
  ] as const) {
    assert.throws(() => parseCliOptions(values as Record<string, string>), message as RegExp);
  }
});

test('defaults: small size, countPrimes, at least two workers, no policy or interval forced', () => {
  const options = resolveOptions({});
  assert.equal(options.size, 'small');
  assert.equal(options.kernel, 'countPrimes');
  assert.ok(options.workers >= 2 && options.workers <= 8);
  assert.equal(options.policy, undefined);
  assert.equal(options.switchIntervalMs, undefined);
  assert.equal(options.trace, false);
});
