// Option checks shared by the executors and map(): a clear TypeError or RangeError naming the option.

export function checkPositiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new RangeError(`${name} must be an integer between 1 and ${max}, got ${value}`);
  }
  return value;
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}
