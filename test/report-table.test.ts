import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatBytesPerSecond,
  formatCount,
  formatGBps,
  formatNs,
  formatPercent,
  formatSeconds,
  formatSignificant,
  formatSpeedup,
  renderTable,
} from '#internal/report/table';

test('renderTable draws a boxed table with aligned columns', () => {
  const text = renderTable(
    ['mode', { key: 'seconds', header: 'time', format: (v) => formatSeconds(v as number) }, 'speedup', 'workers'],
    [
      { mode: 'serial', seconds: 1.2, speedup: 1, workers: 1 },
      { mode: 'threads-hold', seconds: 0.00125, speedup: 0.96, workers: 2 },
      { mode: 'processes', seconds: null, speedup: Number.NaN, workers: 2 },
    ],
    { colour: false },
  );
  assert.equal(
    text,
    [
      '┌──────────────┬─────────┬─────────┬─────────┐',
      '│ mode         │    time │ speedup │ workers │',
      '├──────────────┼─────────┼─────────┼─────────┤',
      '│ serial       │  1.20 s │    1.00 │       1 │',
      '│ threads-hold │ 1.25 ms │   0.960 │       2 │',
      '│ processes    │       – │       – │       2 │',
      '└──────────────┴─────────┴─────────┴─────────┘',
    ].join('\n'),
  );
  assert.ok(!text.includes('\x1b'));
});

test('explicit alignment and booleans', () => {
  const text = renderTable([{ key: 'ok', align: 'center' }], [{ ok: true }, { ok: false }], { colour: false });
  assert.match(text, /│ yes │/);
  assert.match(text, /│ no {2}│|│ {2}no │/);
});

test('number formats', () => {
  assert.equal(formatSignificant(1234.5), '1235');
  assert.equal(formatSignificant(0.012345), '0.0123');
  assert.equal(formatSignificant(1.5e-7), '0.000000150');
  assert.equal(formatSeconds(1.234), '1.23 s');
  assert.equal(formatSeconds(0.0042), '4.20 ms');
  assert.equal(formatSeconds(3.5e-5), '35.0 µs');
  assert.equal(formatNs(950), '950 ns');
  assert.equal(formatNs(999.7), '1.00 µs');
  assert.equal(formatNs(0), '0 ns');
  assert.equal(formatNs(2.5e9), '2.50 s');
  assert.equal(formatSpeedup(1.953), '1.95×');
  assert.equal(formatPercent(0.4817), '48.2%');
  assert.equal(formatPercent(1, 0), '100%');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(64 * 1024 * 1024), '64 MiB');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytesPerSecond(2.5e9), '2.50 GB/s');
  assert.equal(formatBytesPerSecond(1.2e6), '1.20 MB/s');
  assert.equal(formatGBps(1.2e6), '0.00120 GB/s');
  assert.equal(formatGBps(12.345e9), '12.3 GB/s');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatSeconds(Number.POSITIVE_INFINITY), '–');
});

test('bad input throws naming the argument', () => {
  assert.throws(() => formatSeconds('1' as unknown as number), { name: 'TypeError', message: /seconds/ });
  assert.throws(() => formatSignificant(1, 0), { name: 'RangeError', message: /digits/ });
  assert.throws(() => renderTable([], []), { name: 'RangeError', message: /columns/ });
  assert.throws(() => renderTable(['a'], [5 as unknown as Record<string, unknown>]), {
    name: 'TypeError',
    message: /rows\[0\]/,
  });
  assert.throws(() => renderTable([{ key: 'a', align: 'middle' as 'left' }], []), {
    name: 'RangeError',
    message: /columns\[0\]\.align/,
  });
});
