// `module`: what packages ask of Node's module system at run time. The deploy bundled every file the
// code reaches by a literal path, so the `require` that `createRequire` makes loads built-ins; any other
// name fails as Node fails for a module that is not there.

export function createModule(builtinNames: () => readonly string[], requireBuiltin: (name: string) => unknown): Record<string, unknown> {
  const isBuiltin = (name: unknown): boolean => {
    const bare = String(name).replace(/^node:/, "");
    return builtinNames().includes(bare);
  };
  const notFound = (id: string): Error => {
    const error = new Error(`Cannot find module '${id}'`) as Error & { code?: string };
    error.code = "MODULE_NOT_FOUND";
    return error;
  };
  const createRequire = (): ((id: string) => unknown) => {
    const require = (id: string): unknown => requireBuiltin(id);
    const resolve = (id: string): string => {
      if (isBuiltin(id)) return id;
      throw notFound(id);
    };
    return Object.assign(require, { resolve: Object.assign(resolve, { paths: () => null }), cache: Object.create(null) as object, main: undefined });
  };
  return {
    get builtinModules(): string[] {
      return [...builtinNames()];
    },
    isBuiltin,
    createRequire,
    // Nothing is registered: hooks and source maps belong to the worker, not to function code.
    register: () => undefined,
    syncBuiltinESMExports: () => undefined,
    findSourceMap: () => undefined,
  };
}
