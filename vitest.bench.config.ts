import { defineConfig } from 'vitest/config';

// `npm run bench:ui`: measurements of the studio in a browser, reported rather than asserted.
export default defineConfig({
  test: {
    include: ['test/bench/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
