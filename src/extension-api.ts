// The C extension API, as JavaScript hands it to a native addon.
//
// `extensionApi()` returns the capsule: an opaque Node-API External carrying the table of C
// functions declared in native/include/gil_lab.h. Pass it to your addon, whose C code calls
// `gil_lab_import(env, capsule)` to get the table; the addon then acquires, releases and
// checkpoints the very interpreter locks that `Interpreter` uses in this process, from any thread.
import { native } from './native.js';
import type { ExtensionApiCapsule } from './native-types.js';

export type { ExtensionApiCapsule };

/**
 * The capsule holding gil-lab's C extension API table; hand it to your addon. `version`: 1 for an
 * addon built against the version-1 gil_lab.h (whose import wants exactly version 1); default the
 * latest (extensionApiVersion()), which addons built against any later header accept.
 */
export function extensionApi(version?: 1 | 2): ExtensionApiCapsule {
  return native.extensionApi(version);
}

/** GIL_LAB_API_VERSION of the table this build of gil-lab hands out. */
export function extensionApiVersion(): number {
  return native.extensionApiVersion();
}
