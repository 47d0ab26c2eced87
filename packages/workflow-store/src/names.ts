// Step Functions' names and ARNs, and how a name becomes a KV key token: names of letters, digits, `-`
// and `_` stand as they are; any other name is `=` and its UTF-8 in base64url (a plain name never holds `=`).
export interface StatesScope {
  region: string;
  accountId: string;
}

/** What AWS refuses in a state machine or execution name: white space, brackets, wildcards, specials, controls. */
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\ufffe\uffff]/u;

export function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

export function keyToken(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : `=${Buffer.from(name, "utf8").toString("base64url")}`;
}

export function nameOfToken(token: string): string {
  return token.startsWith("=") ? Buffer.from(token.slice(1), "base64url").toString("utf8") : token;
}

export function stateMachineArn(scope: StatesScope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

export function executionArn(scope: StatesScope, stateMachine: string, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachine}:${name}`;
}

export function expressExecutionArn(scope: StatesScope, stateMachine: string, name: string, id: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:express:${stateMachine}:${name}:${id}`;
}

const STATE_MACHINE_ARN = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)(?::([^:]+))?$/;
const EXECUTION_ARN = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):([^:]+):([^:]+)(?::[^:]+)?$/;

/** The name in a state machine ARN (a version or alias suffix is refused: Lambent keeps no versions). */
export function parseStateMachineArn(arn: string): string | undefined {
  const match = STATE_MACHINE_ARN.exec(arn);
  return match && match[2] === undefined && isValidName(match[1]!) ? match[1] : undefined;
}

export function parseExecutionArn(arn: string): { stateMachine: string; name: string; express: boolean } | undefined {
  const match = EXECUTION_ARN.exec(arn);
  if (!match || !isValidName(match[2]!) || !isValidName(match[3]!)) return undefined;
  return { stateMachine: match[2]!, name: match[3]!, express: match[1] === "express" };
}

/** `<state machine token>.<execution token>`: an execution's place in keys and history subjects. */
export function executionKey(stateMachine: string, name: string): string {
  return `${keyToken(stateMachine)}.${keyToken(name)}`;
}
