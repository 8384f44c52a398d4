// Loads the template addon in this thread and hands it gil-lab's capsule (each worker thread loads
// its own instance of an addon, so each does this once).
import { createRequire } from 'node:module';
import { extensionApi } from 'gil-lab';

const require = createRequire(import.meta.url);
const addon = require('./build/Release/template.node');
addon.init(extensionApi());

/** Holds the lock and checkpoints between slices, as interpreted code does. */
export function sumHold(n) {
  return addon.sumHold(n);
}
/** Releases the lock around the whole loop, as numpy does. */
export function sumRelease(n) {
  return addon.sumRelease(n);
}
