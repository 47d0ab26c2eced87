// The types shipped for `lambent:functions` (examples/function-calls/caller/lambent-functions.d.ts) type-check
// the example's TypeScript caller, and catch misuse.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const caller = fileURLToPath(new URL("../../examples/function-calls/caller/", import.meta.url));
const declarations = `${caller}lambent-functions.d.ts`;
const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, noEmit: true, types: [] };

/** The type checker's messages for these files, beside the declarations. */
function diagnostics(files: Record<string, string>): string[] {
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files[name] ?? readFile(name);
  host.fileExists = (name) => name in files || ts.sys.fileExists(name);
  const program = ts.createProgram([declarations, ...Object.keys(files)], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

describe("lambent-functions.d.ts", () => {
  it("type-checks the example caller", () => {
    expect(diagnostics({ [`${caller}index.ts`]: ts.sys.readFile(`${caller}index.ts`)! })).toEqual([]);
  });

  it("catches a wrong function name type, an unknown option and a wrong invocation type", () => {
    const messages = diagnostics({
      [`${caller}misuse.ts`]: [
        `import { invoke } from "lambent:functions";`,
        `export const a = invoke(42);`,
        `export const b = invoke("f", {}, { InvocationType: "Event" });`,
        `export const c = invoke("f", {}, { invocationType: "Later" });`,
        `export const d = async () => (await invoke("f")).Payload.transformToString("hex");`,
      ].join("\n"),
    });
    expect(messages).toHaveLength(4);
  });
});
