import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "cli/src/**/*.test.ts", "proto/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    pool: "forks",
    poolOptions: {
      // isolated-vm on Node 20 requires the built-in snapshot to be off.
      forks: { execArgv: ["--no-node-snapshot"] },
    },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
