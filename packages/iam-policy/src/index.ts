// IAM-style identity policies for Lambent's API keys: a document of statements, each allowing or denying
// actions (`lambda:InvokeFunction`, `lambda:*`, `lambent:Get*`) on resources (ARNs, with `*` and `?`
// wildcards). As in IAM: nothing is allowed unless a statement allows it, and a statement that denies wins
// over every one that allows.
import { invalidParameter } from "@lambent/errors";

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
}

export interface IdentityPolicy {
  Version: string;
  Statement: PolicyStatement[];
}

export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

const MAX_POLICY_CHARACTERS = 10_240;
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

function list(value: unknown, what: string): string[] {
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || !items.every((item) => typeof item === "string" && item.length > 0 && item.length <= 2048)) {
    throw invalidParameter(`Policy statement ${what} must be a string or a non-empty list of strings`);
  }
  return items as string[];
}

/** Checks a policy document (JSON text or its object), throwing InvalidParameterValueException naming what is wrong. */
export function parsePolicy(input: unknown): IdentityPolicy {
  let document = input;
  if (typeof input === "string") {
    if (input.length > MAX_POLICY_CHARACTERS) throw invalidParameter(`Policy must be at most ${MAX_POLICY_CHARACTERS} characters`);
    try {
      document = JSON.parse(input);
    } catch {
      throw invalidParameter("Policy is not valid JSON");
    }
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw invalidParameter("Policy must be a JSON object with Version and Statement");
  const { Version: version, Statement: rawStatements } = document as Record<string, unknown>;
  if (version !== undefined && version !== "2012-10-17" && version !== "2008-10-17") throw invalidParameter("Policy Version must be 2012-10-17");
  const statements = Array.isArray(rawStatements) ? rawStatements : rawStatements === undefined ? [] : [rawStatements];
  if (statements.length === 0) throw invalidParameter("Policy must have at least one Statement");
  return {
    Version: "2012-10-17",
    Statement: statements.map((raw: unknown, index) => {
      if (typeof raw !== "object" || raw === null) throw invalidParameter(`Policy Statement ${index} must be an object`);
      const statement = raw as Record<string, unknown>;
      if (statement["Effect"] !== "Allow" && statement["Effect"] !== "Deny") throw invalidParameter(`Policy Statement ${index}: Effect must be Allow or Deny`);
      for (const unsupported of ["NotAction", "NotResource", "Principal", "NotPrincipal", "Condition"]) {
        if (unsupported in statement) throw invalidParameter(`Policy Statement ${index}: ${unsupported} is not supported in identity policies here`);
      }
      const actions = list(statement["Action"], `${index} Action`);
      for (const action of actions) if (!ACTION.test(action)) throw invalidParameter(`Policy Statement ${index}: Action ${JSON.stringify(action)} is not service:Action`);
      return {
        ...(typeof statement["Sid"] === "string" ? { Sid: statement["Sid"] } : {}),
        Effect: statement["Effect"],
        Action: actions,
        Resource: list(statement["Resource"], `${index} Resource`),
      };
    }),
  };
}

/** Compiled patterns: a call's check compiles none of the policy's patterns again. Bounded for any policies. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 4096;

/** `*` any run of characters, `?` one; actions match regardless of case, as IAM's do. */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? "i" : "c"}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    regex = new RegExp(`^${source}$`, ignoreCase ? "is" : "s");
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, regex);
  }
  return regex.test(value);
}

export function evaluatePolicy(policy: IdentityPolicy, action: string, resource: string): PolicyDecision {
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!statement.Action.some((pattern) => matches(pattern, action, true))) continue;
    if (!statement.Resource.some((pattern) => matches(pattern, resource, false))) continue;
    if (statement.Effect === "Deny") return "explicit-deny";
    allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

/** AWS's words for a refusal: who, what, on which resource, and why. */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, decision: Exclude<PolicyDecision, "allow">): string {
  const why = decision === "explicit-deny" ? `with an explicit deny in an identity-based policy` : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/**
 * Whether a resource policy (a function's, from AddPermission) lets `principalArn` take `action`: an Allow
 * statement naming that principal (or `*`) and the action, with no Condition (a condition is about
 * another service's call, never a user's).
 */
export function resourcePolicyAllows(document: unknown, principalArn: string, action: string): boolean {
  const statements = (typeof document === "object" && document !== null ? (document as { Statement?: unknown }).Statement : undefined) ?? [];
  if (!Array.isArray(statements)) return false;
  return statements.some((raw: unknown) => {
    if (typeof raw !== "object" || raw === null) return false;
    const statement = raw as Record<string, unknown>;
    if (statement["Effect"] !== "Allow" || statement["Condition"] !== undefined) return false;
    const actions = [statement["Action"]].flat().filter((item): item is string => typeof item === "string");
    if (!actions.some((pattern) => matches(pattern, action, true))) return false;
    const principal = statement["Principal"];
    const named = principal === "*" ? ["*"] : typeof principal === "object" && principal !== null ? [(principal as Record<string, unknown>)["AWS"]].flat() : [];
    return named.some((entry) => entry === "*" || entry === principalArn);
  });
}

/** A policy that no longer parses (written by an older version, or damaged) allows nothing. */
const NOTHING: IdentityPolicy = { Version: "2012-10-17", Statement: [] };
const parsedRecords = new WeakMap<object, IdentityPolicy>();

/**
 * The policy of a stored record, parsed once per record object: views hand out the same frozen record
 * until it changes, so a call's check costs no parse.
 */
export function policyOfRecord(record: { policy: unknown }): IdentityPolicy {
  let policy = parsedRecords.get(record);
  if (!policy) {
    try {
      policy = parsePolicy(record.policy);
    } catch {
      policy = NOTHING;
    }
    parsedRecords.set(record, policy);
  }
  return policy;
}
