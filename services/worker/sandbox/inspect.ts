// A small stand-in for Node's util.inspect and util.format: enough for console output to read like Node's.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const BREAK_LENGTH = 72;
const MAX_DEPTH = 2;
const MAX_ITEMS = 100;

export function inspect(value: unknown): string {
  return formatValue(value, 0, [], false);
}

function quote(text: string): string {
  return "'" + text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
}

function formatKey(key: string | symbol): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return IDENTIFIER.test(key) ? key : quote(key);
}

function formatPrimitive(value: unknown, nested: boolean): string | undefined {
  switch (typeof value) {
    case "string":
      return nested ? quote(value) : value;
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function": {
      const source = Function.prototype.toString.call(value);
      const name = (value as { name?: unknown }).name;
      if (source.startsWith("class")) return `[class ${typeof name === "string" && name ? name : "(anonymous)"}]`;
      return typeof name === "string" && name ? `[Function: ${name}]` : "[Function (anonymous)]";
    }
    default:
      return value === null ? "null" : undefined;
  }
}

function constructorName(value: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return "[Object: null prototype]";
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === "string" ? ctor.name : undefined;
}

function wrap(prefix: string, open: string, close: string, entries: string[], depth: number): string {
  if (entries.length === 0) return `${prefix}${open}${close}`;
  const flat = `${prefix}${open} ${entries.join(", ")} ${close}`;
  if (flat.length <= BREAK_LENGTH && !flat.includes("\n")) return flat;
  const indent = "  ".repeat(depth + 1);
  return `${prefix}${open}\n${indent}${entries.join(`,\n${indent}`)}\n${"  ".repeat(depth)}${close}`;
}

function formatValue(value: unknown, depth: number, seen: object[], nested: boolean): string {
  const primitive = formatPrimitive(value, nested);
  if (primitive !== undefined) return primitive;
  const object = value as object;
  if (seen.includes(object)) return "[Circular]";
  if (object instanceof Error) {
    const stack = object.stack;
    return typeof stack === "string" && stack ? stack : `${object.name}: ${object.message}`;
  }
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (object instanceof Promise) return "Promise { <pending> }";
  const name = constructorName(object);
  const isArray = Array.isArray(object);
  if (depth > MAX_DEPTH) return isArray ? "[Array]" : `[${name && name !== "Object" ? name : "Object"}]`;
  seen.push(object);
  try {
    const child = (item: unknown): string => formatValue(item, depth + 1, seen, true);
    if (isArray) {
      const items = (object as unknown[]).slice(0, MAX_ITEMS).map(child);
      if (object.length > MAX_ITEMS) items.push(`... ${object.length - MAX_ITEMS} more items`);
      return wrap(name === "Array" ? "" : `${name}(${object.length}) `, "[", "]", items, depth);
    }
    if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
      const typed = object as unknown as ArrayLike<number>;
      const items = Array.from({ length: Math.min(typed.length, MAX_ITEMS) }, (_, i) => String(typed[i]));
      return wrap(`${name}(${typed.length}) `, "[", "]", items, depth);
    }
    if (object instanceof Map) {
      const items = [...object].slice(0, MAX_ITEMS).map(([k, v]) => `${child(k)} => ${child(v)}`);
      return wrap(`Map(${object.size}) `, "{", "}", items, depth);
    }
    if (object instanceof Set) {
      return wrap(`Set(${object.size}) `, "{", "}", [...object].slice(0, MAX_ITEMS).map(child), depth);
    }
    const keys: (string | symbol)[] = Reflect.ownKeys(object).filter((key) => Object.prototype.propertyIsEnumerable.call(object, key));
    const items = keys.slice(0, MAX_ITEMS).map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      const shown = descriptor && "value" in descriptor ? child(descriptor.value) : "[Getter/Setter]";
      return `${formatKey(key)}: ${shown}`;
    });
    const prefix = name === "Object" || name === undefined ? "" : `${name} `;
    return wrap(prefix, "{", "}", items, depth);
  } finally {
    seen.pop();
  }
}

function jsonOf(value: unknown): string {
  try {
    return String(JSON.stringify(value));
  } catch {
    return "[Circular]";
  }
}

/** Node's util.format: printf-style `%s %d %i %f %j %o %O %c %%`, then the remaining arguments. */
export function format(...args: unknown[]): string {
  const first = args[0];
  let rest = 0;
  let text = "";
  if (typeof first === "string") {
    rest = 1;
    text = first.replace(/%[sdifjoOc%]/g, (token) => {
      if (token === "%%") return "%";
      if (rest >= args.length) return token;
      const arg = args[rest++];
      switch (token) {
        case "%s":
          return typeof arg === "object" && arg !== null ? formatValue(arg, 1, [], true) : typeof arg === "bigint" ? `${arg}n` : String(arg);
        case "%d":
          return typeof arg === "bigint" ? `${arg}n` : typeof arg === "object" ? "NaN" : String(Number(arg));
        case "%i":
          return typeof arg === "bigint" ? `${arg}n` : String(parseInt(String(arg), 10));
        case "%f":
          return String(parseFloat(String(arg)));
        case "%j":
          return jsonOf(arg);
        case "%c":
          return "";
        default:
          return formatValue(arg, 0, [], true);
      }
    });
  }
  for (let i = rest; i < args.length; i++) {
    const arg = args[i];
    const shown = typeof arg === "string" ? arg : formatValue(arg, 0, [], false);
    text = text === "" && i === 0 ? shown : `${text} ${shown}`;
  }
  return text;
}
