// Number formatting shared by tables, timelines, charts and the HTML report, so one figure reads the
// same everywhere. Figures are shown to three significant digits: measurements on a shared machine
// are rarely better than that, and more digits would suggest otherwise.

/** What a missing or non-finite value prints as. */
export const MISSING = '–';

function checkNumber(value: unknown, name: string): value is number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number, got ${value === null ? 'null' : typeof value}`);
  return Number.isFinite(value);
}

function checkDigits(digits: unknown): number {
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < 1 || digits > 21) {
    throw new RangeError(`digits must be an integer from 1 to 21, got ${String(digits)}`);
  }
  return digits;
}

/** `value` to `digits` significant digits, never in exponent notation: 1234.5 -> "1235", 0.01234 -> "0.0123". */
export function formatSignificant(value: number, digits = 3): string {
  checkDigits(digits);
  if (!checkNumber(value, 'value')) return MISSING;
  if (value === 0) return '0';
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toString();
  const text = value.toPrecision(digits);
  if (!text.includes('e')) return text;
  // Very small magnitudes: show enough decimals for `digits` significant ones.
  const decimals = Math.min(100, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return value.toFixed(Math.max(0, decimals));
}

export interface ScaledUnit {
  unit: string;
  /** How many base units one `unit` is (e.g. 1e6 for ms when the base is ns). */
  factor: number;
}

const TIME_UNITS_NS: readonly ScaledUnit[] = [
  { unit: 'ns', factor: 1 },
  { unit: 'µs', factor: 1e3 },
  { unit: 'ms', factor: 1e6 },
  { unit: 's', factor: 1e9 },
];

/** Picks the largest unit in which `magnitude` (in base units) is at least 1, after rounding. */
function pickUnit(magnitude: number, units: readonly ScaledUnit[], digits: number): ScaledUnit {
  let chosen = units[0]!;
  for (const candidate of units) {
    const rounded = Number(formatSignificantRaw(magnitude / candidate.factor, digits));
    if (rounded >= 1) chosen = candidate;
  }
  return chosen;
}

function formatSignificantRaw(value: number, digits: number): string {
  return Math.abs(value) >= 10 ** digits ? Math.round(value).toString() : value.toPrecision(digits);
}

/** The unit a time axis spanning `spanNs` should be labelled in (ns, µs, ms or s). */
export function timeUnitFor(spanNs: number): ScaledUnit {
  if (!checkNumber(spanNs, 'spanNs')) throw new RangeError(`spanNs must be finite, got ${spanNs}`);
  return pickUnit(Math.abs(spanNs), TIME_UNITS_NS, 3);
}

/** A duration in nanoseconds with an automatic unit: 950 -> "950 ns", 1.5e6 -> "1.50 ms". */
export function formatNs(ns: number, digits = 3): string {
  checkDigits(digits);
  if (!checkNumber(ns, 'ns')) return MISSING;
  if (ns === 0) return '0 ns';
  const unit = pickUnit(Math.abs(ns), TIME_UNITS_NS, digits);
  return `${formatSignificant(ns / unit.factor, digits)} ${unit.unit}`;
}

/** A duration in seconds with an automatic unit: 1.234 -> "1.23 s", 0.0042 -> "4.20 ms". */
export function formatSeconds(seconds: number, digits = 3): string {
  if (!checkNumber(seconds, 'seconds')) return MISSING;
  return formatNs(seconds * 1e9, digits);
}

/** A ratio as a speedup: 1.953 -> "1.95×". */
export function formatSpeedup(ratio: number, digits = 3): string {
  if (!checkNumber(ratio, 'ratio')) return MISSING;
  return `${formatSignificant(ratio, digits)}×`;
}

/** A fraction as a percentage with fixed decimals: 0.4817 -> "48.2%". */
export function formatPercent(fraction: number, decimals = 1): string {
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new RangeError(`decimals must be an integer from 0 to 20, got ${String(decimals)}`);
  }
  if (!checkNumber(fraction, 'fraction')) return MISSING;
  return `${(fraction * 100).toFixed(decimals)}%`;
}

const BYTE_UNITS: readonly ScaledUnit[] = [
  { unit: 'B', factor: 1 },
  { unit: 'KiB', factor: 1024 },
  { unit: 'MiB', factor: 1024 ** 2 },
  { unit: 'GiB', factor: 1024 ** 3 },
  { unit: 'TiB', factor: 1024 ** 4 },
];

/** A size in bytes with binary units; exact multiples print without decimals: 65536 -> "64 KiB". */
export function formatBytes(bytes: number, digits = 3): string {
  checkDigits(digits);
  if (!checkNumber(bytes, 'bytes')) return MISSING;
  const unit = pickUnit(Math.abs(bytes), BYTE_UNITS, digits);
  const scaled = bytes / unit.factor;
  const text = Number.isInteger(scaled) ? scaled.toString() : formatSignificant(scaled, digits);
  return `${text} ${unit.unit}`;
}

const RATE_UNITS: readonly ScaledUnit[] = [
  { unit: 'B/s', factor: 1 },
  { unit: 'kB/s', factor: 1e3 },
  { unit: 'MB/s', factor: 1e6 },
  { unit: 'GB/s', factor: 1e9 },
  { unit: 'TB/s', factor: 1e12 },
];

/** A throughput in bytes per second with decimal units (as bandwidth is quoted): 2.5e9 -> "2.50 GB/s". */
export function formatBytesPerSecond(bytesPerSecond: number, digits = 3): string {
  checkDigits(digits);
  if (!checkNumber(bytesPerSecond, 'bytesPerSecond')) return MISSING;
  if (bytesPerSecond === 0) return '0 B/s';
  const unit = pickUnit(Math.abs(bytesPerSecond), RATE_UNITS, digits);
  return `${formatSignificant(bytesPerSecond / unit.factor, digits)} ${unit.unit}`;
}

/** A throughput always in GB/s (10^9 bytes per second), for columns that compare bandwidths. */
export function formatGBps(bytesPerSecond: number, digits = 3): string {
  if (!checkNumber(bytesPerSecond, 'bytesPerSecond')) return MISSING;
  return `${formatSignificant(bytesPerSecond / 1e9, digits)} GB/s`;
}

/** A count with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(count: number): string {
  if (!checkNumber(count, 'count')) return MISSING;
  return Math.round(count).toLocaleString('en-US');
}

/** "1 thread", "2 threads": the count and the word, plural unless the count is 1. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
