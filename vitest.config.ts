import { defineConfig } from "vitest/config";

// Unit, integration and native tests; the browser suite has its own config (test/e2e/vitest.config.ts).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**", "dist/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Model-dependent tests share two cores; running files one at a time keeps timings honest.
    fileParallelism: false,
  },
});
