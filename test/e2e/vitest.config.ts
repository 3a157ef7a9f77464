import { defineConfig } from "vitest/config";

// The browser suite: a real `polytune serve`, a real Chromium, one file at a time in one process
// (each file starts its own server and browser; running them side by side would only fight for CPU).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    // Steps of a file build on each other (add, then open, then try): stop at the first failure.
    bail: 1,
    sequence: { concurrent: false },
  },
});
