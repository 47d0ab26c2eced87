// Template text → plain JSON-shaped values: YAML with CloudFormation's short-form tags (`!Ref`, `!Sub`, …)
// turned into their long forms (`{ Ref: … }`, `{ "Fn::Sub": … }`), or JSON, which YAML reads as well.
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from "yaml";
import { TemplateError } from "./errors.js";

/** Short tag → long-form key. `!GetAtt` and `!Ref`/`!Condition` are spelled out below, having their own shapes. */
const FUNCTION_TAGS = ["Sub", "Join", "If", "Equals", "Not", "And", "Or", "Select", "Split", "FindInMap", "Base64", "ImportValue", "GetAZs", "Cidr", "Transform", "Length", "ToJsonString"] as const;

function tagsFor(tag: string, wrap: (value: unknown) => unknown): (ScalarTag | CollectionTag)[] {
  return [
    { tag, resolve: (value: string) => wrap(value) },
    { tag, collection: "seq", resolve: (seq: YAMLSeq) => wrap(seq.toJSON()) },
    { tag, collection: "map", resolve: (map: YAMLMap) => wrap(map.toJSON()) },
  ] as (ScalarTag | CollectionTag)[];
}

/** `!GetAtt A.B.C` means resource A, attribute `B.C`; the sequence form is already split. */
function getAtt(value: unknown): unknown {
  if (typeof value !== "string") return { "Fn::GetAtt": value };
  const dot = value.indexOf(".");
  return { "Fn::GetAtt": dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
}

const CUSTOM_TAGS = [
  ...tagsFor("!Ref", (value) => ({ Ref: value })),
  ...tagsFor("!Condition", (value) => ({ Condition: value })),
  ...tagsFor("!GetAtt", getAtt),
  ...FUNCTION_TAGS.flatMap((name) => tagsFor(`!${name}`, (value) => ({ [`Fn::${name}`]: value }))),
];

/** Parses a template's text; a syntax error, or text that is not a mapping, is a TemplateError. */
export function parseTemplateText(text: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    // Version 1.1's booleans (`yes`, `no`, `on`) are strings here, as CloudFormation reads them.
    value = parse(text, { customTags: CUSTOM_TAGS, version: "1.2", maxAliasCount: 1000, prettyErrors: false });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new TemplateError([{ where: fileName, message: `is not valid YAML or JSON: ${message}` }]);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TemplateError([{ where: fileName, message: "is not a template: its top level must be a mapping with Resources" }]);
  }
  return value as Record<string, unknown>;
}
