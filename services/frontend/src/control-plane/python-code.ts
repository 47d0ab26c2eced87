// A Python function's code as deployed: nothing is bundled (the worker runs the package's own files
// under Pyodide), so the "bundle" is one short text naming the handler's module file, and the package is
// stored as it came. A handler whose module is missing is not refused here: as on Lambda, the call fails
// with Runtime.ImportModuleError.
import { invalidParameter } from "@lambent/errors";
import type { PackageFiles } from "@lambent/bundler";

/** `pkg/mod.fn` or `pkg.mod.fn` → the module's file in the package: `pkg/mod.py` (or its `__init__.py`). */
export function pythonHandlerFile(files: PackageFiles, handler: string): string {
  const dot = handler.lastIndexOf(".");
  if (dot <= 0 || dot === handler.length - 1) {
    throw invalidParameter(`Handler '${handler}' must have the form module.function, e.g. lambda_function.lambda_handler`);
  }
  const modulePath = handler.slice(0, dot).replace(/\./g, "/");
  if (modulePath.split("/").some((part) => part === "" || part === "..")) {
    throw invalidParameter(`Handler '${handler}' must point inside the deployment package`);
  }
  const packageInit = `${modulePath}/__init__.py`;
  return !files.has(`${modulePath}.py`) && files.has(packageInit) ? packageInit : `${modulePath}.py`;
}

/** The bundle text of a Python function: the worker reads the runtime from the record, not from this. */
export function pythonBundle(handlerFile: string): string {
  return `# python handler module: ${handlerFile}\n`;
}
