// A `require` whose name is computed at run time (`aliasedRequire("./locale/" + name)` in moment,
// `require(path.join(dir, file))` in i18n loaders) cannot be resolved at deploy. Such uses are pointed at
// the runtime's require for that file, `__lambentRequireFrom(<file>, __lambentBundledModules)`, which
// resolves the name from the file's own folder as Node does, answers modules already in the bundle with
// the bundle's instance, and loads any other file of the package from /var/task when it is asked for.
// Literal `require("x")` calls are left to esbuild, which bundles them.

/** A use of `require` that is not a call with a literal name: a computed call, an alias, `require.resolve`. */
const COMPUTED_REQUIRE = /\brequire\s*\(\s*[^'"`\s)]|[=,(:?|&]\s*require\s*[;,)|&}\]]|\brequire\.resolve\b/;
/** Files that bind `require` themselves (browserify and webpack bundles) mean their own; they are left alone. */
const BINDS_REQUIRE = /\b(?:function\s+require\b|(?:var|let|const)\s+require\b|function\s*[\w$]*\s*\([^)]*\brequire\b[^)]*\))/;
/** Each free `require` that is not followed by a literal-name call. */
const REQUIRE_WORD = /(?<![.\w$'"`])\brequire\b(?!\s*:)/g;
const LITERAL_CALL = /^\s*\(\s*(?:'[^'\n]*'|"[^"\n]*"|`[^`$\n]*`)\s*\)/;

export const BUNDLED_MODULES = "__lambentBundledModules";

/** The source with its computed requires pointed at the runtime's, or undefined when it has none. */
export function withRuntimeRequire(source: string, packageFile: string): string | undefined {
  if (!COMPUTED_REQUIRE.test(source) || BINDS_REQUIRE.test(source)) return undefined;
  const runtimeRequire = `__lambentRequireFrom(${JSON.stringify(packageFile)}, ${BUNDLED_MODULES})`;
  return source.replace(REQUIRE_WORD, (word, offset: number) => (LITERAL_CALL.test(source.slice(offset + word.length, offset + word.length + 300)) ? word : runtimeRequire));
}

/** esbuild's wrapper of each CommonJS file: `var require_x = __commonJS({ "path/in/package.js"(exports, module) {`. */
const COMMONJS_WRAPPER = /^var (require_[\w$]+) = __commonJS\(\{\n\s*"((?:[^"\\]|\\.)+)"\(/gm;

/**
 * A function declaration (hoisted, so the bundle's code can call it while it initialises) that maps each
 * bundled CommonJS file's package path to the bundle's loader of it. Empty when nothing asks for it.
 */
export function bundledModulesTable(code: string): string {
  if (!code.includes(`${BUNDLED_MODULES})`)) return "";
  const entries: string[] = [];
  for (const match of code.matchAll(COMMONJS_WRAPPER)) entries.push(`${JSON.stringify(JSON.parse(`"${match[2]}"`))}: ${match[1]}`);
  return `function ${BUNDLED_MODULES}() {\n  return { ${entries.join(", ")} };\n}\n`;
}
