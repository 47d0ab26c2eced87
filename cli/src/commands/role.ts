// `lambent role`: give an execution role credentials, list the roles that have them, take them away
// (PutRoleCredentials, ListRoleCredentials, DeleteRoleCredentials), and give it a policy for what its
// functions may call (PutRolePolicy, ListRolePolicies, DeleteRolePolicy).
import { readFile } from "node:fs/promises";
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatFields, writeJson } from "../output.js";

const OPTIONS = {
  "access-key-id": { type: "string" },
  "secret-access-key": { type: "string" },
  "session-token": { type: "string" },
  policy: { type: "string" },
  remove: { type: "boolean" },
} as const;

export const roleCommand: Command = {
  name: "role",
  summary: "give execution roles credentials for the AWS SDK inside functions",
  usage: `Usage: lambent role set <role-arn> --access-key-id ID [--secret-access-key SECRET] [--session-token TOKEN]
       lambent role list
       lambent role delete <role-arn>
       lambent role policy <role-arn> --policy FILE | --remove
       lambent role policies

Every environment of a function whose Role is <role-arn> started after 'set' finds the credentials in
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, where the AWS SDK's default credential
chain looks. Environments already running keep what they started with. The secret is read from
--secret-access-key or, when absent, from $AWS_SECRET_ACCESS_KEY_FOR_ROLE, so it need not appear in a
shell's history. 'list' never shows secrets.

'policy' gives the role an IAM-style identity policy (JSON, as for 'lambent key') for what its functions
may do when they call Lambent: a function whose role has one invokes only the functions it allows
(lambda:InvokeFunction), through lambent:functions or the AWS SDK's LambdaClient. A role without one may
invoke any function. '--remove' takes the policy away.

With --json, prints the API's answer.

${COMMON_USAGE}`,
  run: runRole,
};

export async function runRole(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, { min: 1, max: 2 });
  if (common.help) {
    io.stdout.write(`${roleCommand.usage}\n`);
    return 0;
  }
  const [action, roleArn] = positionals;
  const client = createApiClient(common.endpoint);
  const needsArn = (): string => {
    if (roleArn === undefined) throw new UsageError(`lambent role ${action} needs a role ARN`);
    return roleArn;
  };
  switch (action) {
    case "set": {
      const accessKeyId = values["access-key-id"];
      const secretAccessKey = values["secret-access-key"] ?? io.env["AWS_SECRET_ACCESS_KEY_FOR_ROLE"];
      if (accessKeyId === undefined) throw new UsageError("lambent role set needs --access-key-id");
      if (secretAccessKey === undefined) throw new UsageError("lambent role set needs --secret-access-key or $AWS_SECRET_ACCESS_KEY_FOR_ROLE");
      const sessionToken = values["session-token"];
      const set = await client.putRoleCredentials({
        RoleArn: needsArn(),
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        ...(sessionToken === undefined ? {} : { SessionToken: sessionToken }),
      });
      if (common.json) writeJson(io.stdout, set);
      else io.stdout.write(`${set.RoleArn}: credentials ${set.AccessKeyId} set\n`);
      return 0;
    }
    case "list": {
      if (roleArn !== undefined) throw new UsageError(`unexpected argument '${roleArn}'`);
      const listed = await client.listRoleCredentials();
      if (common.json) writeJson(io.stdout, listed);
      else if (listed.RoleCredentials.length === 0) io.stdout.write("no role has credentials\n");
      else io.stdout.write(formatFields(listed.RoleCredentials.map((item) => [item.RoleArn, `${item.AccessKeyId}${item.HasSessionToken ? " (with session token)" : ""}, set ${item.UpdatedAt}`])));
      return 0;
    }
    case "delete": {
      await client.deleteRoleCredentials(needsArn());
      if (!common.json) io.stdout.write(`${roleArn}: credentials deleted\n`);
      return 0;
    }
    case "policy": {
      if (values.remove) {
        await client.deleteRolePolicy(needsArn());
        if (!common.json) io.stdout.write(`${roleArn}: policy removed\n`);
        return 0;
      }
      if (values.policy === undefined) throw new UsageError("lambent role policy needs --policy FILE or --remove");
      const text = await readFile(values.policy, "utf8").catch((error: unknown) => {
        throw new UsageError(`cannot read ${values.policy}: ${error instanceof Error ? error.message : String(error)}`);
      });
      let policy: unknown;
      try {
        policy = JSON.parse(text);
      } catch {
        throw new UsageError(`${values.policy} is not JSON`);
      }
      const set = await client.putRolePolicy(needsArn(), policy);
      if (common.json) writeJson(io.stdout, set);
      else io.stdout.write(`${set.RoleArn}: policy set\n`);
      return 0;
    }
    case "policies": {
      const listed = await client.listRolePolicies();
      if (common.json) writeJson(io.stdout, listed);
      else if (listed.RolePolicies.length === 0) io.stdout.write("no role has a policy\n");
      else io.stdout.write(formatFields(listed.RolePolicies.map((item) => [item.RoleArn, `set ${item.UpdatedAt}`])));
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': expected set, list, delete, policy or policies`);
  }
}
