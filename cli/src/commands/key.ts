// `lambent key`: access keys for users of the API, each with an identity policy (CreateAccessKey,
// ListAccessKeys, PutAccessKeyPolicy, DeleteAccessKey).
import { readFile } from "node:fs/promises";
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatFields, writeJson } from "../output.js";

const OPTIONS = {
  policy: { type: "string" },
} as const;

export const keyCommand: Command = {
  name: "key",
  summary: "make access keys for the API, each allowed only what its policy says",
  usage: `Usage: lambent key create <user-name> --policy FILE
       lambent key list
       lambent key policy <access-key-id> --policy FILE
       lambent key delete <access-key-id>

FILE is an IAM-style identity policy (JSON): statements that Allow or Deny actions (lambda:InvokeFunction,
lambda:Get*, lambent:*, states:StartExecution) on resources (function ARNs, with * and ? wildcards).
Nothing is allowed unless a statement allows it, and a Deny wins. 'create' prints the secret access key
once; it is never shown again. Keys apply to every frontend at once, without a restart, on clusters that
take only signed calls (LAMBENT_API_AUTH=sigv4).

With --json, prints the API's answer.

${COMMON_USAGE}`,
  run: runKey,
};

async function policyFrom(path: string | undefined, action: string): Promise<unknown> {
  if (path === undefined) throw new UsageError(`lambent key ${action} needs --policy FILE`);
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
}

export async function runKey(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, { min: 1, max: 2 });
  if (common.help) {
    io.stdout.write(`${keyCommand.usage}\n`);
    return 0;
  }
  const [action, subject] = positionals;
  const client = createApiClient(common.endpoint);
  const needs = (what: string): string => {
    if (subject === undefined) throw new UsageError(`lambent key ${action} needs ${what}`);
    return subject;
  };
  switch (action) {
    case "create": {
      const made = await client.createAccessKey({ UserName: needs("a user name"), Policy: await policyFrom(values.policy, "create") });
      if (common.json) writeJson(io.stdout, made);
      else io.stdout.write(formatFields([["AccessKeyId", made.AccessKeyId], ["SecretAccessKey", made.SecretAccessKey], ["User", made.UserArn]]) + "the secret is not shown again\n");
      return 0;
    }
    case "list": {
      if (subject !== undefined) throw new UsageError(`unexpected argument '${subject}'`);
      const listed = await client.listAccessKeys();
      if (common.json) writeJson(io.stdout, listed);
      else if (listed.AccessKeys.length === 0) io.stdout.write("no access keys\n");
      else io.stdout.write(formatFields(listed.AccessKeys.map((key) => [key.AccessKeyId, `${key.UserName}, policy updated ${key.UpdatedAt}`])));
      return 0;
    }
    case "policy": {
      const updated = await client.putAccessKeyPolicy(needs("an access key id"), await policyFrom(values.policy, "policy"));
      if (common.json) writeJson(io.stdout, updated);
      else io.stdout.write(`${updated.AccessKeyId}: policy replaced\n`);
      return 0;
    }
    case "delete": {
      await client.deleteAccessKey(needs("an access key id"));
      if (!common.json) io.stdout.write(`${subject}: deleted\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': expected create, list, policy or delete`);
  }
}
