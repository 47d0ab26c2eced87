// Built-in modules bundled code reaches through `globalThis.__lambentRequire(name)`. None are offered
// yet; each future one (crypto, buffer, ...) is a factory registered here.

const builtins = new Map<string, () => unknown>();
const loaded = new Map<string, unknown>();

export function lambentRequire(name: unknown): unknown {
  const id = String(name);
  const bare = id.startsWith("node:") ? id.slice(5) : id;
  if (loaded.has(bare)) return loaded.get(bare);
  const factory = builtins.get(bare);
  if (!factory) {
    const error = new Error(`Cannot find module '${id}'`) as Error & { code?: string };
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  const exports = factory();
  loaded.set(bare, exports);
  return exports;
}
