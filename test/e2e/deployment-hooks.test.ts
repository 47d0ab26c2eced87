// Deployment hooks written as AWS's documentation writes them, on a real cluster: each reports its verdict
// with @aws-sdk/client-codedeploy's PutLifecycleEventHookExecutionStatus (the runtime provides the client
// and points it at Lambent), and the leading scheduler acts on the report: Succeeded lets the deployment
// go on to the end, Failed from the PostTraffic hook rolls the alias back although the hook's call itself
// succeeds. A function that is not the hook cannot report for it, and other CodeDeploy operations are
// answered UnknownOperationException. LAMBENT_DEPLOYMENT_TIME_PERCENT=5 makes a minute 3 s.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AliasConfiguration, ApplicationDeployment } from "@lambent/lambda-api";
import { ApiPaths } from "@lambent/lambda-api";
import { startTestCluster, type TestCluster } from "@lambent/testkit";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const TEST_TIMEOUT_MS = 300_000;
let cluster: TestCluster;
let folder: string;

/** A hook as AWS's CodeDeploy and SAM documentation show one; its "validation test" result is VERDICT. */
const HOOK = `'use strict';

const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
const codedeploy = new CodeDeployClient({ apiVersion: '2014-10-06' });

exports.handler = async (event, context) => {
  console.log('Entering hook', JSON.stringify(event));
  // Read the DeploymentId and the LifecycleEventHookExecutionId from the event payload.
  const deploymentId = event.DeploymentId;
  const lifecycleEventHookExecutionId = event.LifecycleEventHookExecutionId;

  // Perform validation tests here; their result is 'Succeeded' or 'Failed'.
  const validationTestResult = process.env.VERDICT;

  const params = {
    deploymentId: deploymentId,
    lifecycleEventHookExecutionId: lifecycleEventHookExecutionId,
    status: validationTestResult,
  };
  // Pass CodeDeploy the prepared validation test results.
  await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand(params));
  console.log('Successfully reported hook results');
  return 'Validation test reported: ' + validationTestResult;
};
`;

/** Not a hook: reports for whatever execution its event names, and asks for a deployment, answering each outcome. */
const PROBER = `import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
const codedeploy = new CodeDeployClient({ maxAttempts: 1 });
const outcome = (promise) => promise.then((output) => ({ ok: output.lifecycleEventHookExecutionId ?? true }), (error) => ({ error: error.name, status: error.$metadata?.httpStatusCode }));
export const handler = async (event) => ({
  report: await outcome(codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({ deploymentId: event.deploymentId, lifecycleEventHookExecutionId: event.executionId, status: 'Succeeded' }))),
  getDeployment: await outcome(codedeploy.send(new GetDeploymentCommand({ deploymentId: event.deploymentId }))),
});
`;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_DEPLOYMENT_TIME_PERCENT: "5" } });
  folder = await mkdtemp(join(tmpdir(), "lambent-hooks-"));
  // As on Lambda, the SDK signs with the execution role's credentials: the operator gives the template's default role some.
  const response = await fetch(`${cluster.httpUrl}${ApiPaths.roleCredentials}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ RoleArn: "arn:aws:iam::000000000000:role/lambent", AccessKeyId: "AKIDHOOKROLE", SecretAccessKey: "hook-role-secret" }),
  });
  expect(response.status, await response.text()).toBe(200);
});
afterAll(async () => {
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function lambent(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A stack whose `Api` is deployed with PreTraffic and PostTraffic hooks reporting the verdicts given. */
async function deploy(stack: string, release: string, verdicts: { pre: string; post: string }, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = join(folder, stack);
  await mkdir(join(dir, "api"), { recursive: true });
  await mkdir(join(dir, "hooks"), { recursive: true });
  await writeFile(join(dir, "api", "index.js"), `exports.handler = async () => ${JSON.stringify(release)};\n`);
  await writeFile(join(dir, "hooks", "hook.js"), HOOK);
  await writeFile(join(dir, "hooks", "prober.mjs"), PROBER);
  const hook = (name: string, verdict: string) => `
  ${name}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hooks/
      Handler: hook.handler
      Runtime: nodejs20.x
      Timeout: 30
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action:
                - codedeploy:PutLifecycleEventHookExecutionStatus
              Resource: "*"
      Environment:
        Variables:
          VERDICT: ${verdict}
`;
  await writeFile(
    join(dir, "template.yaml"),
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: api/
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Hooks:
          PreTraffic: !Ref PreTrafficHook
          PostTraffic: !Ref PostTrafficHook
${hook("PreTrafficHook", verdicts.pre)}${hook("PostTrafficHook", verdicts.post)}
  Prober:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hooks/
      Handler: prober.handler
      Runtime: nodejs20.x
      Timeout: 30
`,
  );
  return lambent(["deploy", join(dir, "template.yaml"), "--stack-name", stack, ...extra]);
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${cluster.httpUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
}

const alias = async (stack: string): Promise<AliasConfiguration> => (await api<AliasConfiguration>("GET", ApiPaths.alias(`${stack}-Api`, "live"))).body;

/** The deployment `deploy --wait --json` followed to its end. */
function deploymentOf(result: { code: number; stdout: string; stderr: string }): ApplicationDeployment {
  const output = JSON.parse(result.stdout) as { Deployments?: ApplicationDeployment[] };
  expect(output.Deployments, result.stderr).toHaveLength(1);
  return output.Deployments![0]!;
}

describe("deployment hooks reporting through CodeDeploy's API", () => {
  it(
    "completes the deployment when both hooks report Succeeded",
    async () => {
      expect((await deploy("reported", "one", { pre: "Succeeded", post: "Succeeded" })).code).toBe(0);
      const result = await deploy("reported", "two", { pre: "Succeeded", post: "Succeeded" }, ["--wait", "--json"]);
      expect(result.code, result.stderr).toBe(0);
      const deployment = deploymentOf(result);
      expect(deployment.Status, deployment.Reason).toBe("Succeeded");
      const messages = deployment.Events.map((event) => event.Message);
      expect(messages).toContain("PreTraffic hook reported-PreTrafficHook reported Succeeded");
      expect(messages).toContain("PostTraffic hook reported-PostTrafficHook reported Succeeded");
      expect(messages).toContain("PreTraffic hook reported-PreTrafficHook succeeded (reported)");
      // The PreTraffic hook reported before any traffic moved, the PostTraffic hook after all of it had.
      const at = (pattern: RegExp) => messages.findIndex((message) => pattern.test(message));
      expect(at(/PreTraffic hook .* reported/)).toBeLessThan(at(/at 10%/));
      expect(at(/at 100%/)).toBeLessThan(at(/PostTraffic hook .* reported/));
      expect((await alias("reported")).FunctionVersion).toBe("2");

      // Another function of the stack cannot report for the hook's execution; it is over anyway.
      const execution = /PostTraffic hook \S+ invoked \(execution ([0-9a-f-]{36})\)/.exec(messages.join("\n"))?.[1];
      expect(execution).toBeDefined();
      const probe = await api<{ report: { error?: string }; getDeployment: { error?: string; status?: number } }>("POST", ApiPaths.invocations("reported-Prober"), { deploymentId: "reported-2-Api", executionId: execution });
      expect(probe.status).toBe(200);
      expect(probe.body.report.error).toBe("AccessDeniedException");
      expect(probe.body.getDeployment).toEqual({ error: "UnknownOperationException", status: 400 });
      const unknown = await api<{ report: { error?: string } }>("POST", ApiPaths.invocations("reported-Prober"), { deploymentId: "reported-9-Api", executionId: execution });
      expect(unknown.body.report.error).toBe("DeploymentDoesNotExistException");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "rolls the alias back when the PostTraffic hook reports Failed, though its call succeeds",
    async () => {
      expect((await deploy("rejected", "one", { pre: "Succeeded", post: "Failed" })).code).toBe(0);
      const result = await deploy("rejected", "two", { pre: "Succeeded", post: "Failed" }, ["--wait", "--json"]);
      expect(result.code).toBe(1);
      const deployment = deploymentOf(result);
      expect(deployment.Status).toBe("RolledBack");
      expect(deployment.Reason).toBe("the PostTraffic hook rejected-PostTrafficHook failed: it reported Failed (PutLifecycleEventHookExecutionStatus)");
      const messages = deployment.Events.map((event) => event.Message);
      expect(messages).toContain("PreTraffic hook rejected-PreTrafficHook reported Succeeded");
      expect(messages).toContain("PostTraffic hook rejected-PostTrafficHook reported Failed");
      // All traffic had moved before the hook ran; the rollback put it back on version 1.
      expect(messages.some((message) => message.includes("at 100%"))).toBe(true);
      const after = await alias("rejected");
      expect(after.FunctionVersion).toBe("1");
      expect(Object.keys(after.RoutingConfig?.AdditionalVersionWeights ?? {})).toEqual([]);
      const answer = await api<string>("POST", `${ApiPaths.invocations("rejected-Api")}?Qualifier=live`, {});
      expect(answer.body).toBe("one");
    },
    TEST_TIMEOUT_MS,
  );
});
