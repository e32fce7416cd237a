/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { Bridge } from '../../src-main/api/contract/index.js'

declare global {
  interface Window {
    /** Present only in the Electron window (exposed by the preload). */
    zsdr?: Bridge
  }
}
