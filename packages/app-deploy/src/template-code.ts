// Builds the deployment zip of every function a template plans, before anything is deployed: a folder
// zipped, a zip file read, inline code packed as index.js; each checked to hold its handler's module, and
// a folder's handler module checked for syntax errors.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import type { CodeSource, FunctionPlan, TemplateProblem } from "@lambent/sam-template";
import { zipFileOrFolder } from "./zip-folder.js";

/** The runtime whose handlers are Python modules. */
const PYTHON_RUNTIME = "python3.12";
/** A Node.js handler's module may be any of these, as the runtime loads it. */
const MODULE_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts"];
const ENTRY_TIME = new Date("2000-01-01T00:00:00Z");

export interface BuiltPackage {
  /** The zip, base64, as CreateFunction and UpdateFunctionCode take it. */
  zipFile: string;
  bytes: number;
}

/** Builds every function's package; the problems name the resource and its code property. */
export async function buildPackages(functions: readonly FunctionPlan[]): Promise<{ packages: Map<string, BuiltPackage>; problems: TemplateProblem[] }> {
  const packages = new Map<string, BuiltPackage>();
  const problems: TemplateProblem[] = [];
  for (const fn of functions) {
    try {
      const zip = await zipOf(fn.code);
      const files = zipEntries(zip);
      const module = fn.settings.Handler.slice(0, fn.settings.Handler.lastIndexOf("."));
      if (fn.settings.Runtime === PYTHON_RUNTIME) {
        // Python's handler names a module by its dotted path (package.module); the isolate's interpreter
        // finds its syntax errors when it imports it.
        const file = `${module.replaceAll(".", "/")}.py`;
        if (!files.has(file)) throw new Error(`the handler ${fn.settings.Handler} needs ${file} in ${describeCode(fn.code)}, which has no such file`);
      } else {
        const file = MODULE_EXTENSIONS.map((extension) => `${module}${extension}`).find((name) => files.has(name));
        if (file === undefined) throw new Error(`the handler ${fn.settings.Handler} needs ${module}.js (or .mjs, .cjs, .ts) in ${describeCode(fn.code)}, which has no such file`);
        if (fn.code.kind === "folder" && !file.endsWith(".ts")) await checkSyntax(join(fn.code.path, file));
      }
      packages.set(fn.logicalId, { zipFile: Buffer.from(zip).toString("base64"), bytes: zip.byteLength });
    } catch (error) {
      problems.push({ where: fn.logicalId, property: codeProperty(fn.code), message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { packages, problems };
}

async function zipOf(code: CodeSource): Promise<Uint8Array> {
  if (code.kind === "inline") return zipSync({ [code.fileName]: [new TextEncoder().encode(code.source), { mtime: ENTRY_TIME }] });
  return zipFileOrFolder(code, "deploy");
}

/**
 * Node's own syntax check of the handler's module, so a typo in the last function's handler refuses the
 * template before anything changes. Errors in the files it imports are the deploy-time bundler's to find.
 */
function checkSyntax(path: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(process.execPath, ["--check", path], { timeout: 30_000 }, (error, _stdout, stderr) => {
      // A Node without module detection reads ESM syntax in a .js file as CommonJS; the bundler decides those.
      if (error === null || /Cannot use import statement outside a module|Unexpected token 'export'/.test(stderr)) return done();
      const lines = stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("    at ") && !line.startsWith("Node.js v"));
      const syntax = lines.find((line) => /Error:/.test(line)) ?? "it does not compile";
      fail(new Error(`${lines[0] ?? path}: ${syntax}`));
    });
  });
}

/** The names of a zip's files, read without inflating them. */
function zipEntries(zip: Uint8Array): Set<string> {
  const names = new Set<string>();
  try {
    unzipSync(zip, {
      filter: (file) => {
        names.add(file.name);
        return false;
      },
    });
  } catch (error) {
    throw new Error(`is not a zip file (${error instanceof Error ? error.message : String(error)})`);
  }
  return names;
}

function describeCode(code: CodeSource): string {
  return code.kind === "inline" ? "the inline code" : code.path;
}

function codeProperty(code: CodeSource): string {
  return code.kind === "inline" ? "InlineCode" : "CodeUri";
}
