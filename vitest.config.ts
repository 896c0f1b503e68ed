import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts', 'test/dom/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    // The engine tests load ONNX sessions that use every core; running files one at a time keeps
    // them from starving each other on small machines.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
