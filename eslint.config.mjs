// Lint rules, including the import boundaries of the house: services never import each other,
// packages never import services, the sandbox imports nothing, only tests and scripts use the testkit,
// and no module imports itself through others (type-only imports count).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { parse } from "@typescript-eslint/typescript-estree";
import { visitorKeys } from "@typescript-eslint/visitor-keys";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

const services = ["@lambent/frontend", "@lambent/scheduler", "@lambent/worker"];

const root = new URL("./", import.meta.url);
const readJson = (path) => JSON.parse(readFileSync(new URL(path, root), "utf8"));

/**
 * Each workspace package's name → the source of its entry (`dist/index.d.ts` → `src/index.ts`), so the
 * cycle rule follows an import of another package into its sources, built or not.
 */
const workspaceSources = Object.fromEntries(
  readJson("package.json")
    .workspaces.flatMap((pattern) =>
      pattern.endsWith("/*") ? readdirSync(new URL(pattern.slice(0, -1), root)).map((name) => pattern.slice(0, -1) + name) : [pattern],
    )
    .filter((folder) => existsSync(new URL(`${folder}/package.json`, root)))
    .map((folder) => ({ folder, pkg: readJson(`${folder}/package.json`), rootDir: readJson(`${folder}/tsconfig.json`).compilerOptions.rootDir }))
    .filter(({ pkg }) => typeof pkg.exports?.["."]?.types === "string")
    .map(({ folder, pkg, rootDir }) => {
      const entry = pkg.exports["."].types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts");
      return [pkg.name, [new URL(`${folder}/${rootDir}/${entry}`, root).pathname]];
    }),
);

/**
 * How the cycle rule reads the files it follows: their imports and exports only, so the TypeScript parse
 * without scope analysis, and every import and export made a value one.
 */
const typesAsValuesParser = {
  meta: { name: "types-as-values" },
  VisitorKeys: visitorKeys,
  parse(code, options) {
    const ast = parse(code, { loc: true, range: true, comment: options.comment, tokens: options.tokens, filePath: options.filePath });
    for (const node of ast.body) {
      if (node.importKind === "type") node.importKind = "value";
      if (node.exportKind === "type") node.exportKind = "value";
      for (const specifier of node.specifiers ?? []) {
        if (specifier.importKind === "type") specifier.importKind = "value";
        if (specifier.exportKind === "type") specifier.exportKind = "value";
      }
    }
    return ast;
  },
};

/** An import or export node as the cycle rule sees it: a value one, whatever its `type` keyword says. */
const asValueImport = (node) =>
  new Proxy(node, {
    get: (target, key) =>
      key === "importKind" || key === "exportKind" ? "value" : key === "specifiers" ? target.specifiers?.map(asValueImport) : target[key],
  });

/**
 * import-x's no-cycle skips type-only imports, as they leave nothing at run time. A type-only cycle still
 * ties two modules into one, so this runs the same rule with every import counted: the linted file's
 * import nodes through `asValueImport`, the files it follows through `typesAsValuesParser`.
 */
const noCycle = {
  meta: importX.rules["no-cycle"].meta,
  create(context) {
    const counted = Object.create(context, { languageOptions: { value: { ...context.languageOptions, parser: typesAsValuesParser } } });
    const visitors = importX.rules["no-cycle"].create(counted);
    return Object.fromEntries(Object.entries(visitors).map(([selector, visit]) => [selector, (node) => visit(asValueImport(node))]));
  },
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "proto/gen/**", "bench/results/**", ".lambent/**", "**/*.cjs", "**/scripts/*.mjs", "eslint.config.mjs", "bench/fixtures/**", "test/fixtures/compat-corpus/**", "test/fixtures/python-requests/**", "test/fixtures/serverless-patterns/**"] },
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
    // No import cycles in TypeScript, within a package or across packages (through their sources);
    // modules from node_modules are not followed.
    files: ["**/*.ts"],
    plugins: { lambent: { rules: { "no-cycle": noCycle } } },
    settings: {
      "import-x/extensions": [".ts", ".js"],
      // The workspace's own packages are followed, though they resolve outside the importing package.
      "import-x/internal-regex": "^@lambent/",
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.base.json", alias: workspaceSources })],
    },
    rules: { "lambent/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // The CLI reaches a cluster over REST alone: of Lambent's code it takes the API's shapes, as types, and ApiPaths
    // (Step Functions' shapes come from @lambent/sfn-api, as types too), and signs requests as any client would;
    // @lambent/sam-template reads a template into a plan without touching a cluster, so deploy may use it.
    // @lambent/app-deploy deploys templates through the same REST API (the frontend's deploy route runs it
    // too, its requests sent in-process), and is held to the same rule.
    files: ["cli/src/**/*.ts", "packages/app-deploy/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@lambent/lambda-api", allowImportNames: ["ApiPaths"], allowTypeImports: true, message: "the CLI takes only types and ApiPaths from the API package" },
            { name: "@lambent/sfn-api", allowImportNames: [], allowTypeImports: true, message: "the CLI takes only types from the Step Functions API package" },
          ],
          patterns: [{ group: ["@lambent/*", "!@lambent/lambda-api", "!@lambent/sfn-api", "!@lambent/request-signing", "!@lambent/sam-template", "!@lambent/app-deploy", "**/services/**", "**/packages/**"], message: "the CLI reaches a cluster over REST, never by import" }],
        },
      ],
    },
  },
  {
    files: ["services/worker/sandbox/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "@lambent/*", "isolated-vm", "../src/**"], message: "the sandbox runs inside the isolate and imports nothing from the host" }] }],
    },
  },
);
