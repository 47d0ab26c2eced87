// SAM's Globals: the Function section merged into every AWS::Serverless::Function as SAM merges it.

/**
 * Merges a resource's properties over the globals, as SAM does: maps merge key by key (recursively), lists
 * are the global items followed by the resource's, and anything else (a string, a number, an intrinsic
 * function) from the resource replaces the global one.
 */
export function mergeGlobals(globals: unknown, properties: unknown): unknown {
  if (properties === undefined) return globals;
  if (globals === undefined) return properties;
  if (Array.isArray(globals) && Array.isArray(properties)) return [...(globals as unknown[]), ...(properties as unknown[])];
  if (isPlainMap(globals) && isPlainMap(properties)) {
    const merged: Record<string, unknown> = { ...globals };
    for (const [key, value] of Object.entries(properties)) merged[key] = mergeGlobals(globals[key], value);
    return merged;
  }
  return properties;
}

/** A map that is not an intrinsic function (`{ Ref: … }`, `{ "Fn::…": … }`), which SAM treats as one value. */
function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return !(keys.length === 1 && (keys[0] === "Ref" || keys[0] === "Condition" || keys[0]!.startsWith("Fn::")));
}
