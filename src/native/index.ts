// The native measurement addon's public face: load it (or learn why not) and its result types.
export { loadNative, loadNativeFrom, addonPath, nativeTruePath } from './addon.js';
export type {
  NativeAddon, NativeLoad, PerCall, ContextSwitchResult, SpinlockResult, DaemonResult, Channel, Members, NativeLockKind, ProcResult,
} from './addon.js';
