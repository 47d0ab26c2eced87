// Turns a deployment package (zip) into the one ES module the isolate runs, at deploy time, so a
// package that cannot run fails at CreateFunction/UpdateFunctionCode and never at the first invoke.
export * from "./limits.js";
export * from "./handler.js";
export * from "./unpack.js";
export { symbolicLinks } from "./zip-links.js";
export * from "./build.js";
export * from "./isolate-builtins.js";
export { TASK_ROOT } from "./plugins.js";
