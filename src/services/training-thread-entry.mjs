// Worker-thread entry for training-thread.ts: threads do not inherit the tsx loader of the main thread on
// Node 20, so the TypeScript module is imported through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./training-thread.ts', import.meta.url);
