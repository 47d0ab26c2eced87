import { defineConfig } from "vitest/config";

/**
 * `npm test`: every unit and integration test file. Most files wait on the processes they start rather
 * than compute, so files run three at a time even on two cores; no test depends on the machine's speed.
 * Long end-to-end suites live under test/e2e and run with `npm run test:e2e` (vitest.e2e.config.ts).
 */
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "cli/src/**/*.test.ts", "proto/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "test/e2e/**"],
    pool: "forks",
    poolOptions: {
      // isolated-vm on Node 20 requires the built-in snapshot to be off.
      forks: { execArgv: ["--no-node-snapshot"], maxForks: 3, minForks: 1 },
    },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
