// SAM's DeploymentPreference on a real cluster: the leading scheduler moves an AutoPublishAlias from the
// old version to the new one step by step (weights seen shifting on the alias), rolls a failing canary
// back by itself when its errors set off the template's alarm or, without alarms, when the new version's
// own error rate is above the old one's, lets a deployment whose old version fails go on, and stops a
// deployment whose PreTraffic hook reports failure before any traffic moves.
// LAMBENT_DEPLOYMENT_TIME_PERCENT=5 makes a minute 3 s.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AliasConfiguration, ApplicationDeployment, ApplicationRevisionDescription, GetFunctionMetricsResponse } from "@lambent/lambda-api";
import { ApiPaths } from "@lambent/lambda-api";
import { Subjects, decodeJson, type ClusterStatus } from "@lambent/protocol";
import { eventually, startTestCluster, type TestCluster } from "@lambent/testkit";
import { connect, type NatsConnection } from "@nats-io/transport-node";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const TEST_TIMEOUT_MS = 300_000;
let cluster: TestCluster;
let folder: string;
let nc: NatsConnection;

beforeAll(async () => {
  // Two schedulers: one test stops the leader in the middle of a deployment.
  cluster = await startTestCluster({ schedulers: 2, env: { LAMBENT_DEPLOYMENT_TIME_PERCENT: "5" } });
  nc = await connect(cluster.natsOptions());
  folder = await mkdtemp(join(tmpdir(), "lambent-gradual-"));
});
afterAll(async () => {
  await nc?.close();
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

interface AppShape {
  /** What the live function's handler body does. */
  body: string;
  type: string;
  /** The PreTraffic hook's answer, when the template has one. */
  preTraffic?: string;
  /**
   * The alarm the deployment reads: the function's errors (the default), the errors of the new version's
   * calls through the alias (SAM's canary alarm: Resource and ExecutedVersion), or none.
   */
  alarm?: "function" | "new version" | "none";
}

const ALARM_DIMENSIONS = {
  function: `
        - Name: FunctionName
          Value: !Ref Api`,
  "new version": `
        - Name: Resource
          Value: !Sub "\${Api}:live"
        - Name: FunctionName
          Value: !Ref Api
        - Name: ExecutedVersion
          Value: !GetAtt Api.Version.Version`,
};

/** A stack whose function `Api` is deployed gradually, with an alarm on its errors unless the shape says otherwise. */
async function deploy(stack: string, shape: AppShape, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = join(folder, stack);
  await mkdir(dir, { recursive: true });
  const hooks = shape.preTraffic === undefined ? "" : "\n        Hooks:\n          PreTraffic: !Ref Check";
  const alarm = shape.alarm ?? "function";
  const alarms = alarm === "none" ? "" : "\n        Alarms:\n          - !Ref ApiErrors";
  const alarmResource =
    alarm === "none"
      ? ""
      : `
  ApiErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:${ALARM_DIMENSIONS[alarm]}
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
`;
  const hook =
    shape.preTraffic === undefined
      ? ""
      : `
  Check:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => (${shape.preTraffic});"
      Handler: index.handler
      Runtime: nodejs20.x
`;
  await writeFile(
    join(dir, "template.yaml"),
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => { ${shape.body} };"
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
      DeploymentPreference:
        Type: ${shape.type}${alarms}${hooks}
${alarmResource}${hook}`,
  );
  return lambent(["deploy", join(dir, "template.yaml"), "--stack-name", stack, ...extra]);
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await fetch(`${cluster.httpUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === "" ? undefined : JSON.parse(text)) as T };
}

const alias = async (stack: string): Promise<AliasConfiguration> => (await api<AliasConfiguration>("GET", ApiPaths.alias(`${stack}-Api`, "live"))).body;

async function deploymentOf(stack: string, revision: number): Promise<ApplicationDeployment | undefined> {
  const { body } = await api<{ Revisions: ApplicationRevisionDescription[] }>("GET", ApiPaths.applicationRevisions(stack));
  return body.Revisions.find((item) => item.Revision === revision)?.Deployments?.[0];
}

const FINAL = ["Succeeded", "RolledBack", "Failed", "Superseded"];

/** Calls the alias again and again while the deployment of `revision` is under way; the deployment as it ended, and the calls that failed. */
async function callThroughout(stack: string, revision: number): Promise<{ deployment: ApplicationDeployment; failed: number; calls: number }> {
  let failed = 0;
  let calls = 0;
  for (;;) {
    for (let i = 0; i < 10; i += 1) {
      const answer = await api<unknown>("POST", `${ApiPaths.invocations(`${stack}-Api`)}?Qualifier=live`, {});
      calls += 1;
      if (answer.headers.get("x-amz-function-error") !== null) failed += 1;
    }
    const deployment = await deploymentOf(stack, revision);
    if (deployment !== undefined && FINAL.includes(deployment.Status)) return { deployment, failed, calls };
  }
}

/** The errors and calls of the alias's calls that ran on `version` over the last minutes, once the metrics show at least `atLeast` calls. */
async function versionMetrics(stack: string, version: string, atLeast: number): Promise<{ invocations: number; errors: number }> {
  return eventually(
    async () => {
      const { body } = await api<GetFunctionMetricsResponse>("GET", `${ApiPaths.functionMetrics(`${stack}-Api`)}?since=10m&Qualifier=live&ExecutedVersion=${version}`);
      const invocations = body.Metrics.reduce((sum, point) => sum + point.Invocations, 0);
      const errors = body.Metrics.reduce((sum, point) => sum + point.Errors, 0);
      return invocations >= atLeast ? { invocations, errors } : undefined;
    },
    { deadline: 60_000, message: `the metrics of version ${version} never showed ${atLeast} calls` },
  );
}

describe("gradual deployments", () => {
  it(
    "moves the alias to the new version step by step and ends with all of it there",
    async () => {
      expect((await deploy("linear", { body: "return 'one';", type: "Linear10PercentEvery1Minute" })).code).toBe(0);
      const before = await alias("linear");
      expect(before.FunctionVersion).toBe("1");

      // --wait follows the deployment; meanwhile the alias is read again and again.
      const deploying = deploy("linear", { body: "return 'two';", type: "Linear10PercentEvery1Minute" }, ["--wait"]);
      let done = false;
      void deploying.then(() => (done = true));
      const weights: number[] = [];
      while (!done) {
        const seen = await alias("linear");
        const weight = seen.FunctionVersion === "2" ? 1 : (seen.RoutingConfig?.AdditionalVersionWeights?.["2"] ?? 0);
        if (weights[weights.length - 1] !== weight) weights.push(weight);
        await new Promise((pause) => setTimeout(pause, 100));
      }
      const result = await deploying;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("Linear10PercentEvery1Minute: Succeeded");

      // The weights only grew, and some were in between: the alias was split while it moved.
      expect(weights.every((weight, index) => index === 0 || weight > weights[index - 1]!)).toBe(true);
      expect(weights.some((weight) => weight > 0 && weight < 1)).toBe(true);
      const after = await alias("linear");
      expect(after.FunctionVersion).toBe("2");
      expect(Object.keys(after.RoutingConfig?.AdditionalVersionWeights ?? {})).toEqual([]);
      const deployment = (await deploymentOf("linear", 2))!;
      expect(deployment.Status).toBe("Succeeded");
      const steps = deployment.Events.map((event) => /at (\d+)%/.exec(event.Message)?.[1]).filter((step) => step !== undefined);
      expect(steps).toEqual(["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]);
      const answer = await api<string>("POST", `${ApiPaths.invocations("linear-Api")}?Qualifier=live`, {});
      expect(answer.body).toBe("two");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "rolls a canary back by itself when its errors set off the alarm",
    async () => {
      expect((await deploy("canary", { body: "return 'fine';", type: "Canary10Percent30Minutes" })).code).toBe(0);
      const deployed = await deploy("canary", { body: "throw new Error('broken release');", type: "Canary10Percent30Minutes" });
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stdout).toContain("gradual deployment Canary10Percent30Minutes: live moves from version 1 to 2");

      // Calls through the alias until one reaches the canary and fails (one in ten do); the canary's
      // 30 minutes (90 s here) leave room for that on a loaded machine.
      let failed = false;
      while (!failed) {
        const answer = await api<unknown>("POST", `${ApiPaths.invocations("canary-Api")}?Qualifier=live`, {});
        failed = answer.headers.get("x-amz-function-error") !== null;
        if (!failed) expect(FINAL).not.toContain((await deploymentOf("canary", 2))?.Status);
      }
      const deployment = await eventually(
        async () => {
          const found = await deploymentOf("canary", 2);
          return found !== undefined && FINAL.includes(found.Status) ? found : undefined;
        },
        { deadline: 120_000, message: "the canary's deployment did not end" },
      );
      expect(deployment.Status).toBe("RolledBack");
      expect(deployment.Reason).toContain("the alarm canary-ApiErrors");
      const after = await alias("canary");
      expect(after.FunctionVersion).toBe("1");
      expect(Object.keys(after.RoutingConfig?.AdditionalVersionWeights ?? {})).toEqual([]);
      const history = await lambent(["app", "history", "canary"]);
      expect(history.stdout).toContain("revision 2 deployment canary-Api:live 1→2 Canary10Percent30Minutes: RolledBack");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "rolls a canary back without alarms when the new version's own error rate is above the old one's",
    async () => {
      expect((await deploy("selfcheck", { body: "return 'fine';", type: "Canary10Percent30Minutes", alarm: "none" })).code).toBe(0);
      const deployed = await deploy("selfcheck", { body: "throw new Error('broken release');", type: "Canary10Percent30Minutes", alarm: "none" });
      expect(deployed.code, deployed.stderr).toBe(0);

      const { deployment, failed } = await callThroughout("selfcheck", 2);
      expect(deployment.Status).toBe("RolledBack");
      expect(deployment.Reason).toContain("the new version's error rate 100.0%");
      expect(deployment.Reason).toContain("old version's 0.0%");
      expect(failed).toBeGreaterThanOrEqual(5);
      const after = await alias("selfcheck");
      expect(after.FunctionVersion).toBe("1");
      expect(Object.keys(after.RoutingConfig?.AdditionalVersionWeights ?? {})).toEqual([]);
      // The metrics history keeps the alias's calls per executed version: every call on 2 failed, none on 1.
      const canary = await versionMetrics("selfcheck", "2", failed);
      expect(canary.errors).toBe(canary.invocations);
      expect((await versionMetrics("selfcheck", "1", 1)).errors).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "completes a deployment whose old version fails and new one succeeds, alarmed on the new version only",
    async () => {
      expect((await deploy("oldfails", { body: "throw new Error('the old bug');", type: "Canary10Percent5Minutes", alarm: "new version" })).code).toBe(0);
      const deployed = await deploy("oldfails", { body: "return 'fixed';", type: "Canary10Percent5Minutes", alarm: "new version" });
      expect(deployed.code, deployed.stderr).toBe(0);

      const { deployment, failed, calls } = await callThroughout("oldfails", 2);
      expect(deployment.Status, deployment.Reason).toBe("Succeeded");
      expect(failed).toBeGreaterThan(0);
      expect(failed).toBeLessThan(calls);
      expect((await alias("oldfails")).FunctionVersion).toBe("2");
      // The old version's errors were there all along, on version 1 only.
      const old = await versionMetrics("oldfails", "1", 1);
      expect(old.errors).toBe(old.invocations);
      expect((await versionMetrics("oldfails", "2", 1)).errors).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "stops before any traffic moves when the PreTraffic hook reports failure",
    async () => {
      expect((await deploy("hooked", { body: "return 'one';", type: "Canary10Percent5Minutes", preTraffic: "{ status: 'Succeeded' }" })).code).toBe(0);
      const result = await deploy("hooked", { body: "return 'two';", type: "Canary10Percent5Minutes", preTraffic: "{ status: 'Failed' }" }, ["--wait", "--json"]);
      expect(result.code).toBe(1);
      const output = JSON.parse(result.stdout) as { Deployments: ApplicationDeployment[] };
      const deployment = output.Deployments[0]!;
      expect(deployment.Status).toBe("Failed");
      expect(deployment.Reason).toContain("the PreTraffic hook hooked-Check failed");
      expect(deployment.Events.some((event) => /at \d+%/.test(event.Message))).toBe(false);
      const after = await alias("hooked");
      expect(after.FunctionVersion).toBe("1");
      expect(after.RoutingConfig).toBeUndefined();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "goes on with a deployment from where it was when the leading scheduler stops",
    async () => {
      expect((await deploy("resumed", { body: "return 'one';", type: "Linear10PercentEvery1Minute" })).code).toBe(0);
      expect((await deploy("resumed", { body: "return 'two';", type: "Linear10PercentEvery1Minute" })).code).toBe(0);
      const midway = await eventually(
        async () => {
          const found = await deploymentOf("resumed", 2);
          return found?.Status === "Shifting" && found.Weight >= 0.2 ? found : undefined;
        },
        { deadline: 120_000, message: "the deployment never reached 20%" },
      );
      expect(midway.Weight).toBeLessThan(1);
      const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
      await cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!.kill();
      const deployment = await eventually(
        async () => {
          const found = await deploymentOf("resumed", 2);
          return found !== undefined && FINAL.includes(found.Status) ? found : undefined;
        },
        { deadline: 180_000, message: "the new leader never finished the deployment" },
      );
      const next = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
      expect(next.schedulerId).not.toBe(leader.schedulerId);
      expect(deployment.Status).toBe("Succeeded");
      // Every step once, in order: the new leader went on from the step it found, not from the start.
      const steps = deployment.Events.map((event) => /at (\d+)%/.exec(event.Message)?.[1]).filter((step) => step !== undefined);
      expect(steps).toEqual(["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]);
      expect((await alias("resumed")).FunctionVersion).toBe("2");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "refuses a revision whose deployment would move another stack's alias",
    async () => {
      expect((await deploy("victim", { body: "return 'mine';", type: "AllAtOnce" })).code).toBe(0);
      expect((await deploy("victim", { body: "return 'mine too';", type: "AllAtOnce" }, ["--wait"])).code).toBe(0);
      const lock = await api<{ Lock: { LockId: string } }>("PUT", ApiPaths.applicationLock("intruder"), { Owner: "intruder", TtlSeconds: 60 });
      expect(lock.status).toBe(201);
      const request = { LogicalId: "Api", FunctionName: "victim-Api", Alias: "live", FromVersion: "2", ToVersion: "1", Config: "AllAtOnce", Steps: [{ Weight: 1, WaitMinutes: 0 }], Alarms: [] };
      const document = { Operation: "deploy", Parameters: {}, Functions: [], Permissions: [] };
      const moved = await api<{ message?: string; Message?: string }>("POST", ApiPaths.applicationRevisions("intruder"), { LockId: lock.body.Lock.LockId, Document: { ...document, Deployments: [request] } });
      expect(moved.status).toBe(400);
      expect(JSON.stringify(moved.body)).toContain("victim-Api is not a function of the application intruder");
      expect((await alias("victim")).FunctionVersion).toBe("2");
    },
    TEST_TIMEOUT_MS,
  );
});
