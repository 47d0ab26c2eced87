// Step Functions' intrinsic functions (`States.Format('Hello {}', $.name)` and the rest): parsed once
// with the definition, evaluated against a state's input and the context object. A failure at run time is
// States.IntrinsicFailure (States.Runtime where AWS says so), as AWS raises.
import { createHash, randomUUID } from "node:crypto";
import { isObject, toJsonText, type Json } from "./json.js";
import { JsonPathSyntaxError, parseJsonPath, readPath, type JsonPath } from "./json-path.js";
import { StatesError, StatesErrors } from "./states-error.js";

export type IntrinsicArgument = { kind: "literal"; value: Json } | { kind: "path"; path: JsonPath } | IntrinsicCall;
export interface IntrinsicCall {
  kind: "call";
  name: string;
  args: IntrinsicArgument[];
}

type Implementation = { arity: [number, number]; run: (args: Json[]) => Json };

const HASH_ALGORITHMS: Record<string, string> = { MD5: "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

const fail = (message: string): never => {
  throw new StatesError(StatesErrors.intrinsicFailure, message);
};

function expectArray(value: Json, fn: string, position: number): Json[] {
  return Array.isArray(value) ? value : fail(`The ${ordinal(position)} argument of ${fn} must be an array`);
}
function expectString(value: Json, fn: string, position: number): string {
  return typeof value === "string" ? value : fail(`The ${ordinal(position)} argument of ${fn} must be a string`);
}
function expectNumber(value: Json, fn: string, position: number): number {
  return typeof value === "number" ? value : fail(`The ${ordinal(position)} argument of ${fn} must be a number`);
}
function expectInteger(value: Json, fn: string, position: number): number {
  const number = expectNumber(value, fn, position);
  return Number.isInteger(number) ? number : fail(`The ${ordinal(position)} argument of ${fn} must be an integer`);
}
function ordinal(position: number): string {
  return ["first", "second", "third", "fourth"][position] ?? `#${position + 1}`;
}
const sameJson = (a: Json, b: Json): boolean => toJsonText(a) === toJsonText(b);

export const INTRINSICS: Record<string, Implementation> = {
  "States.Format": {
    arity: [1, Infinity],
    run: ([template, ...values]) => {
      const text = expectString(template!, "States.Format", 0);
      let next = 0;
      let out = "";
      for (let at = 0; at < text.length; at += 1) {
        const char = text[at]!;
        if (char === "\\" && at + 1 < text.length) {
          out += text[at + 1];
          at += 1;
        } else if (char === "{" && text[at + 1] === "}") {
          if (next >= values.length) fail("States.Format has more {} than arguments");
          const value = values[next]!;
          next += 1;
          out += typeof value === "string" ? value : toJsonText(value);
          at += 1;
        } else out += char;
      }
      if (next !== values.length) fail("States.Format has more arguments than {}");
      return out;
    },
  },
  "States.StringToJson": {
    arity: [1, 1],
    run: ([text]) => {
      try {
        return JSON.parse(expectString(text!, "States.StringToJson", 0)) as Json;
      } catch (error) {
        if (error instanceof StatesError) throw error;
        return fail("The argument of States.StringToJson is not valid JSON");
      }
    },
  },
  "States.JsonToString": { arity: [1, 1], run: ([value]) => toJsonText(value!) },
  "States.Array": { arity: [0, Infinity], run: (values) => values },
  "States.ArrayPartition": {
    arity: [2, 2],
    run: ([array, size]) => {
      const items = expectArray(array!, "States.ArrayPartition", 0);
      const chunk = expectInteger(size!, "States.ArrayPartition", 1);
      if (chunk <= 0) fail("The chunk size of States.ArrayPartition must be positive");
      const out: Json[] = [];
      for (let at = 0; at < items.length; at += chunk) out.push(items.slice(at, at + chunk));
      return out;
    },
  },
  "States.ArrayContains": { arity: [2, 2], run: ([array, value]) => expectArray(array!, "States.ArrayContains", 0).some((item) => sameJson(item, value!)) },
  "States.ArrayRange": {
    arity: [3, 3],
    run: ([first, last, stride]) => {
      const start = expectInteger(first!, "States.ArrayRange", 0);
      const end = expectInteger(last!, "States.ArrayRange", 1);
      const step = expectInteger(stride!, "States.ArrayRange", 2);
      if (step === 0) fail("The step of States.ArrayRange must not be 0");
      const out: number[] = [];
      for (let value = start; step > 0 ? value <= end : value >= end; value += step) {
        out.push(value);
        if (out.length > 1000) fail("States.ArrayRange may produce at most 1000 items");
      }
      return out;
    },
  },
  "States.ArrayGetItem": {
    arity: [2, 2],
    run: ([array, index]) => {
      const items = expectArray(array!, "States.ArrayGetItem", 0);
      const at = expectInteger(index!, "States.ArrayGetItem", 1);
      if (at < 0 || at >= items.length) fail(`Index ${at} is out of bounds for an array of ${items.length} items`);
      return items[at]!;
    },
  },
  "States.ArrayLength": { arity: [1, 1], run: ([array]) => expectArray(array!, "States.ArrayLength", 0).length },
  "States.ArrayUnique": {
    arity: [1, 1],
    run: ([array]) => {
      const seen = new Set<string>();
      return expectArray(array!, "States.ArrayUnique", 0).filter((item) => {
        const key = toJsonText(item);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
  },
  "States.Base64Encode": {
    arity: [1, 1],
    run: ([text]) => {
      const value = expectString(text!, "States.Base64Encode", 0);
      if (value.length > 10_000) fail("States.Base64Encode takes at most 10000 characters");
      return Buffer.from(value, "utf8").toString("base64");
    },
  },
  "States.Base64Decode": {
    arity: [1, 1],
    run: ([text]) => {
      const value = expectString(text!, "States.Base64Decode", 0);
      if (value.length > 10_000) fail("States.Base64Decode takes at most 10000 characters");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) fail("The argument of States.Base64Decode is not base64");
      return Buffer.from(value, "base64").toString("utf8");
    },
  },
  "States.Hash": {
    arity: [2, 2],
    run: ([data, algorithm]) => {
      const name = HASH_ALGORITHMS[expectString(algorithm!, "States.Hash", 1)] ?? fail(`States.Hash supports ${Object.keys(HASH_ALGORITHMS).join(", ")}`);
      const text = typeof data === "string" ? data : toJsonText(data!);
      if (text.length > 10_000) fail("States.Hash takes at most 10000 characters");
      return createHash(name).update(text, "utf8").digest("hex");
    },
  },
  "States.JsonMerge": {
    arity: [3, 3],
    run: ([left, right, deep]) => {
      if (!isObject(left) || !isObject(right)) return fail("The first two arguments of States.JsonMerge must be objects");
      if (deep !== false) fail("States.JsonMerge supports only a shallow merge: its third argument must be false");
      return { ...left, ...right };
    },
  },
  "States.MathRandom": {
    arity: [2, 3],
    run: ([start, end]) => {
      const low = expectInteger(start!, "States.MathRandom", 0);
      const high = expectInteger(end!, "States.MathRandom", 1);
      if (high < low) fail("The end of States.MathRandom must not be below its start");
      return low + Math.floor(Math.random() * (high - low));
    },
  },
  "States.MathAdd": {
    arity: [2, 2],
    run: ([a, b]) => expectInteger(a!, "States.MathAdd", 0) + expectInteger(b!, "States.MathAdd", 1),
  },
  "States.StringSplit": {
    arity: [2, 2],
    run: ([text, separators]) => {
      const value = expectString(text!, "States.StringSplit", 0);
      const chars = [...expectString(separators!, "States.StringSplit", 1)];
      if (chars.length === 0) return [value];
      const parts: string[] = [];
      let current = "";
      for (const char of value) {
        if (chars.includes(char)) {
          parts.push(current);
          current = "";
        } else current += char;
      }
      parts.push(current);
      return parts.filter((part) => part !== "");
    },
  },
  "States.UUID": { arity: [0, 0], run: () => randomUUID() },
};

/** Whether a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\s*\(/.test(text.trim());
}

/** Parses `States.X(arg, …)`; throws JsonPathSyntaxError (a schema failure) when malformed or unknown. */
export function parseIntrinsic(text: string): IntrinsicCall {
  const parser = new IntrinsicParser(text.trim());
  const call = parser.call();
  parser.end();
  return call;
}

class IntrinsicParser {
  private at = 0;
  constructor(private readonly text: string) {}

  private fail(why: string): never {
    throw new JsonPathSyntaxError(`The value '${this.text}' is not a valid intrinsic function: ${why}`);
  }

  private skip(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at += 1;
  }

  end(): void {
    this.skip();
    if (this.at !== this.text.length) this.fail(`unexpected text at position ${this.at + 1}`);
  }

  call(): IntrinsicCall {
    this.skip();
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.at))?.[0] ?? this.fail("expected States.<function>");
    this.at += name.length;
    const implementation = INTRINSICS[name] ?? this.fail(`${name} is not an intrinsic function`);
    this.skip();
    if (this.text[this.at] !== "(") this.fail("expected '('");
    this.at += 1;
    const args: IntrinsicArgument[] = [];
    this.skip();
    if (this.text[this.at] === ")") this.at += 1;
    else {
      for (;;) {
        args.push(this.argument());
        this.skip();
        const char = this.text[this.at];
        this.at += 1;
        if (char === ")") break;
        if (char !== ",") this.fail("expected ',' or ')'");
      }
    }
    const [min, max] = implementation.arity;
    if (args.length < min || args.length > max) this.fail(`${name} takes ${min === max ? min : `${min} to ${max === Infinity ? "any number of" : max}`} arguments, not ${args.length}`);
    return { kind: "call", name, args };
  }

  private argument(): IntrinsicArgument {
    this.skip();
    const rest = this.text.slice(this.at);
    if (rest.startsWith("'")) return { kind: "literal", value: this.string() };
    if (rest.startsWith("States.")) return this.call();
    if (rest.startsWith("$")) {
      const end = this.pathEnd();
      const path = parseJsonPath(this.text.slice(this.at, end).trim());
      this.at = end;
      return { kind: "path", path };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(rest)?.[0] ?? this.fail(`unexpected argument at position ${this.at + 1}`);
    this.at += literal.length;
    return { kind: "literal", value: JSON.parse(literal) as Json };
  }

  /** A quoted string: `\'`, `\{`, `\}` and `\\` escape; `\{` stays escaped for States.Format. */
  private string(): string {
    let out = "";
    this.at += 1;
    while (this.at < this.text.length) {
      const char = this.text[this.at]!;
      if (char === "\\") {
        const next = this.text[this.at + 1];
        out += next === "'" ? "'" : `\\${next ?? ""}`;
        this.at += 2;
      } else if (char === "'") {
        this.at += 1;
        return out;
      } else {
        out += char;
        this.at += 1;
      }
    }
    return this.fail("a string is never closed");
  }

  private pathEnd(): number {
    let depth = 0;
    let quote: string | undefined;
    for (let at = this.at; at < this.text.length; at += 1) {
      const char = this.text[at]!;
      if (quote) {
        if (char === quote) quote = undefined;
      } else if (char === "'" || char === '"') quote = char;
      else if (char === "[" || char === "(") depth += 1;
      else if (char === "]" || char === ")") {
        if (depth === 0) return at;
        depth -= 1;
      } else if (char === "," && depth === 0) return at;
    }
    return this.text.length;
  }
}

/** Evaluates a call against the state's input and the context object. */
export function evaluateIntrinsic(call: IntrinsicCall, input: Json, context: Json): Json {
  const args = call.args.map((arg, index): Json => {
    if (arg.kind === "literal") return typeof arg.value === "string" && !(call.name === "States.Format" && index === 0) ? unescapeLiteral(arg.value) : arg.value;
    if (arg.kind === "call") return evaluateIntrinsic(arg, input, context);
    const found = readPath(arg.path, input, context);
    if (!found.found) throw new StatesError(StatesErrors.runtime, `The JsonPath argument for the field '${arg.path.text}' could not be found in the input '${toJsonText(input)}'`);
    return found.value;
  });
  return INTRINSICS[call.name]!.run(args);
}

/** Outside States.Format's template, `\{`, `\}` and `\\` stand for themselves. */
function unescapeLiteral(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
