import { defineConfig } from "vitest/config";

/**
 * `npm run test:e2e`: the long end-to-end suites (the benchmark's quick mode, multi-node faults, the
 * compatibility corpus, memory exhaustion in every form, whole-cluster restarts, the CLI's template
 * deploys and versions, templates deployed over the API, event source mappings, async invocations,
 * their retries and destinations, Python on a cluster and Python functions' own snapshots, the local
 * cluster's processes, triggers, mysql2 against MariaDB, workflows through the API and CLI, layers, role
 * credentials, templates that reach for the cluster's own subjects, the console in a browser with its
 * workflow, trace and usage pages and its list of 1,000 functions, a corpus of functions on popular npm
 * packages, templates from serverless-patterns, gradual deployments and their hooks' CodeDeploy reports,
 * `lambent dev`, the kept-slot fence). One file at a time: each starts whole clusters of its own.
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
