// gil-lab's public API. Each area appends its exports here.
export { native, loadNativeAddonFrom, NativeAddonLoadError } from './native.js';
export type { NativeAddon } from './native.js';
export { version, hardwareConcurrency } from './platform.js';
