/** Types for electron-binary.mjs (imported by the Playwright config and fixtures). */
export declare function electronBinaryPath(root?: string): string | null;
export declare function electronBinaryAvailable(root?: string): boolean;
export declare const ELECTRON_MISSING_NOTICE: string;
