import { defineConfig } from "vitest/config";

/**
 * `npm run test:e2e`: the long end-to-end suites (the benchmark's quick mode, multi-node faults, the
 * compatibility corpus, the browser). One file at a time: each starts whole clusters of its own.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    pool: "forks",
    poolOptions: {
      forks: { execArgv: ["--no-node-snapshot"], maxForks: 1, minForks: 1 },
    },
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
