// Browser tests (npm run test:e2e): a real platform, the built admin UI, Debian's Chromium through playwright-core.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['e2e/**/*.e2e.ts'],
    // Pages wait for live pushes and a model training: generous limits, and no timing assertions.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser at a time keeps the shared machine responsive.
    fileParallelism: false,
  },
});
