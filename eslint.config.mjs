// Lint rules, including the import boundaries of the house: services never import each other,
// packages never import services, the sandbox imports nothing, only tests and scripts use the testkit.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const services = ["@lambent/frontend", "@lambent/scheduler", "@lambent/worker"];

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "proto/gen/**", "bench/results/**", ".lambent/**", "**/*.cjs", "**/scripts/*.mjs", "eslint.config.mjs", "bench/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Examples are Lambda function code: CommonJS and ESM as users write it.
    files: ["examples/**/*.js", "examples/**/*.mjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", exports: "writable", module: "writable", console: "readonly", process: "readonly", fetch: "readonly", __dirname: "readonly", __filename: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Plain Node scripts: the CLI's bin shim and CI's quick-start runner.
    files: ["cli/bin/*.js", ".ci/*.mjs"],
    languageOptions: {
      sourceType: "module",
      globals: { console: "readonly", process: "readonly", URL: "readonly", setTimeout: "readonly" },
    },
  },
  {
    files: ["examples/**/*.mjs"],
    languageOptions: { sourceType: "module" },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    files: ["packages/**/*.ts"],
    ignores: ["packages/testkit/**", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: [...services, "@lambent/testkit", "**/services/**"], message: "packages never import services or the testkit" }] }],
    },
  },
  {
    // A package's unit tests may use the testkit, like every other test.
    files: ["packages/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: [...services, "**/services/**"], message: "packages never import services" }] }],
    },
  },
  ...["frontend", "scheduler", "worker"].map((name) => ({
    files: [`services/${name}/src/**/*.ts`],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: [...services.filter((s) => !s.endsWith(name)), "@lambent/testkit", `../../*/src/**`], message: "services talk over NATS, never by import; the testkit is for tests" }] },
      ],
    },
  })),
  {
    files: ["services/worker/sandbox/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "@lambent/*", "isolated-vm", "../src/**"], message: "the sandbox runs inside the isolate and imports nothing from the host" }] }],
    },
  },
);
