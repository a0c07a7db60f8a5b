// The PDF worker from source (vitest, tsx; see core/pdf-thread.ts): loads main/pdf-worker.ts
// through tsx, which a worker thread does not inherit. The built app runs out/main/pdf-worker.js.
import { tsImport } from 'tsx/esm/api';

await tsImport('./pdf-worker.ts', import.meta.url);
