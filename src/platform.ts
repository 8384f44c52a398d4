import { native } from './native.js';

/** The gil-lab version, as reported by the native addon (it matches package.json). */
export function version(): string {
  return native.version();
}

/** The number of hardware threads this machine offers (at least 1). */
export function hardwareConcurrency(): number {
  return native.hardwareConcurrency();
}
