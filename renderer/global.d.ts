/// <reference types="vite/client" />
import type { MandateDeskApi } from '../preload/contract';

declare global {
  interface Window {
    /** Installed by the preload script (Electron) or by bridge-client.ts (browser bridge). */
    api: MandateDeskApi;
  }
}

export {};
