// SAM templates deployed unchanged with `lambent deploy` on a real cluster: the sam init hello world
// answering on its route, a template with parameters, an alias, a URL and a schedule updated in place,
// and templates refused before anything changes — one with an error in its last function, one asking
// for a resource Lambent does not have.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "@lambent/testkit";
import { runCli, type CliResult } from "../fixtures/cli.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/sam/", import.meta.url));
/** The hello world application `sam init` makes, as the README deploys it. */
const SAM_APP = fileURLToPath(new URL("../../examples/sam-app", import.meta.url));
/** The tests that deploy several times through the CLI, every deploy a few seconds on a busy machine. */
const DEPLOYS_TIMEOUT_MS = 240_000;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await lambent(...args, "--json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface DeployAnswer {
  StackName: string;
  Functions: { LogicalId: string; FunctionName: string; FunctionArn: string; Action: string; Version?: string; FunctionUrl?: string; Routes: string[] }[];
  Outputs: Record<string, string | null>;
}

async function functionNames(): Promise<string[]> {
  return (await json<{ Functions: { FunctionName: string }[] }>("list")).Functions.map((fn) => fn.FunctionName);
}

describe("lambent deploy with a SAM template", () => {
  it("deploys the sam init hello world, answers on its route, prints its Outputs, and updates in place", async () => {
    const deployed = await lambent("deploy", SAM_APP, "--stack-name", "sam-app");
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain("created sam-app-HelloWorldFunction (HelloWorldFunction)");
    expect(deployed.stdout).toContain(`HelloWorldApi: ${cluster.httpUrl}/hello/`);
    expect(deployed.stdout).toMatch(/HelloWorldFunction: arn:aws:lambda:[^:]+:\d{12}:function:sam-app-HelloWorldFunction\n/);
    expect(deployed.stdout).toMatch(/HelloWorldFunctionIamRole: arn:aws:iam::\d{12}:role\/lambent\n/);
    expect(deployed.stderr).toMatch(/warning: HelloWorldFunction: Architectures has no effect/);

    const answer = await fetch(`${cluster.httpUrl}/hello/`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ message: "hello world" });
    expect((await fetch(`${cluster.httpUrl}/hello`, { method: "POST" })).status).toBe(404);

    const again = await json<DeployAnswer>("deploy", `${SAM_APP}/template.yaml`, "--stack-name", "sam-app");
    expect(again.Functions).toEqual([expect.objectContaining({ LogicalId: "HelloWorldFunction", Action: "updated", Routes: [`${cluster.httpUrl}/hello`] })]);
    expect(again.Outputs.HelloWorldApi).toBe(`${cluster.httpUrl}/hello/`);
    const routes = await json<{ Routes: { Path: string }[] }>("route", "list", "--function", "sam-app-HelloWorldFunction");
    expect(routes.Routes.map((route) => route.Path)).toEqual(["/hello"]);
    expect(await (await fetch(`${cluster.httpUrl}/hello`)).json()).toEqual({ message: "hello world" });
  }, DEPLOYS_TIMEOUT_MS);

  it("takes parameter overrides and, deployed again with others, updates the function, its alias and its schedule in place; unchanged, publishes nothing new", async () => {
    const first = await json<DeployAnswer>("deploy", `${FIXTURES}schedule-api`, "--stack-name", "greeter", "--parameter-overrides", "Greeting=hi");
    expect(first.Functions).toEqual([expect.objectContaining({ FunctionName: "greeter-greet", Action: "created", Version: "1" })]);
    expect(first.Outputs.GreetApi).toBe(`${cluster.httpUrl}/greet`);
    expect(first.Outputs.GreetAlias).toMatch(/:function:greeter-greet:live$/);
    expect(first.Outputs.GreetUrl).toBe(first.Functions[0]!.FunctionUrl);
    expect(await (await fetch(`${cluster.httpUrl}/greet/Ada`)).json()).toEqual({ message: "hi, Ada", stage: "dev" });
    const viaUrl = await fetch(`${first.Outputs.GreetUrl!.replace(/\/$/, "")}/anything`);
    expect(viaUrl.status).toBe(200);
    const trigger = await json<{ Name: string; Qualifier: string; Schedule: { Expression: string; Timezone: string; Input?: string } }>("trigger", "get", "greeter-greet-Warm");
    expect(trigger).toMatchObject({ Qualifier: "live", Schedule: { Expression: "rate(1 hour)", Timezone: "Europe/Berlin", Input: '{"warm":true}' } });

    const policy = await json<{ Policy: string }>("permission", "greeter-greet", "--qualifier", "live");
    expect(JSON.parse(policy.Policy).Statement).toEqual([expect.objectContaining({ Sid: "PartnerInvokePermission", Action: "lambda:InvokeFunction", Principal: { AWS: "arn:aws:iam::111122223333:root" } })]);

    const second = await json<DeployAnswer>("deploy", `${FIXTURES}schedule-api/template.yaml`, "--stack-name", "greeter", "--parameter-overrides", "Greeting=hey", "Stage=prod");
    expect(second.Functions).toEqual([expect.objectContaining({ Action: "updated", Version: "2" })]);
    expect(await (await fetch(`${cluster.httpUrl}/greet/Ada`)).json()).toEqual({ message: "hey, Ada", stage: "prod" });
    const got = await json<{ Concurrency?: { ReservedConcurrentExecutions: number } }>("get", "greeter-greet");
    expect(got.Concurrency).toEqual({ ReservedConcurrentExecutions: 10 });
    const again = await json<{ Policy: string }>("permission", "greeter-greet", "--qualifier", "live");
    expect(JSON.parse(again.Policy).Statement).toHaveLength(1);
    const triggers = await json<{ Triggers: { Name: string }[] }>("trigger", "list", "--function", "greeter-greet");
    expect(triggers.Triggers.map((item) => item.Name)).toEqual(["greeter-greet-Warm"]);

    const unchanged = await json<DeployAnswer>("deploy", `${FIXTURES}schedule-api`, "--stack-name", "greeter", "--parameter-overrides", "Greeting=hey Stage=prod");
    expect(unchanged.Functions).toEqual([expect.objectContaining({ Action: "updated", Version: "2" })]);

    const refused = await lambent("deploy", `${FIXTURES}schedule-api`, "--stack-name", "greeter", "--parameter-overrides", "Stage=qa");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Parameters.Stage: 'qa' is not one of AllowedValues dev, prod");
   }, DEPLOYS_TIMEOUT_MS);

  it("changes nothing when the last function of a template has an error", async () => {
    const missing = await lambent("deploy", `${FIXTURES}last-function-error`, "--stack-name", "broken");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nothing was changed");
    expect(missing.stderr).toMatch(/CreateOrderFunction: CodeUri: the handler create\.handler needs create\.js/);

    // The same template whose last handler is there but does not compile (written here: the linter would trip on it).
    const copy = await mkdtemp(join(tmpdir(), "lambent-sam-broken-"));
    await cp(`${FIXTURES}last-function-error`, copy, { recursive: true });
    await writeFile(join(copy, "orders", "create.mjs"), `export const handler = async (event) => {\n  const order = JSON.parse(event.body ?? "{}";\n  return { statusCode: 201, body: JSON.stringify(order) };\n};\n`);
    const result = await lambent("deploy", copy, "--stack-name", "broken");
    await rm(copy, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing was changed");
    expect(result.stderr).toMatch(/CreateOrderFunction: CodeUri: .*create\.mjs:2: SyntaxError/);
    expect((await functionNames()).filter((name) => name.startsWith("broken-"))).toEqual([]);
    expect((await fetch(`${cluster.httpUrl}/broken-orders`)).status).toBe(404);
    expect((await lambent("trigger", "get", "broken-NightlyFunction-Nightly")).code).toBe(1);
  }, DEPLOYS_TIMEOUT_MS);

  it("removes what it created again when a function fails at create, after the checks, so a first deploy leaves nothing", async () => {
    // The last handler compiles but imports a file that is not there: only the deploy-time bundler finds that.
    const copy = await mkdtemp(join(tmpdir(), "lambent-sam-midway-"));
    await cp(`${FIXTURES}last-function-error`, copy, { recursive: true });
    await writeFile(join(copy, "orders", "create.mjs"), `import { save } from "./store.mjs";\nexport const handler = async (event) => ({ statusCode: 201, body: JSON.stringify(await save(event.body)) });\n`);
    const result = await lambent("deploy", copy, "--stack-name", "midway");
    await rm(copy, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the stack is back on what it was before (it had no revision)");
    expect(result.stderr).toContain("undid created function midway-ListOrdersFunction");
    expect(result.stderr).toMatch(/Could not resolve "\.\/store\.mjs"/);
    expect((await functionNames()).filter((name) => name.startsWith("midway-"))).toEqual([]);
    expect((await fetch(`${cluster.httpUrl}/broken-orders`)).status).toBe(404);
    expect((await lambent("trigger", "get", "midway-NightlyFunction-Nightly")).code).toBe(1);
  }, DEPLOYS_TIMEOUT_MS);

  it("leaves a deployed stack untouched when a function the new template adds fails at create", async () => {
    const copy = await mkdtemp(join(tmpdir(), "lambent-sam-grow-"));
    await cp(`${FIXTURES}last-function-error`, copy, { recursive: true });
    const template = await readFile(join(copy, "template.yaml"), "utf8");
    // First the stack without its last function, which deploys.
    await writeFile(join(copy, "template.yaml"), template.slice(0, template.indexOf("  CreateOrderFunction:")).replaceAll("/broken-orders", "/grow-orders"));
    const first = await lambent("deploy", copy, "--stack-name", "grow");
    expect(first.code, first.stderr).toBe(0);
    expect(await (await fetch(`${cluster.httpUrl}/grow-orders`)).text()).toBe("[]");
    // Then the whole template, the list changed and the new last function importing a file that is not there.
    await writeFile(join(copy, "template.yaml"), template.replaceAll("/broken-orders", "/grow-orders"));
    await writeFile(join(copy, "orders", "list.mjs"), `export const handler = async () => ({ statusCode: 200, body: "[1]" });\n`);
    await writeFile(join(copy, "orders", "create.mjs"), `import { save } from "./store.mjs";\nexport const handler = async (event) => ({ statusCode: 201, body: JSON.stringify(await save(event.body)) });\n`);
    const second = await lambent("deploy", copy, "--stack-name", "grow");
    await rm(copy, { recursive: true, force: true });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("nothing was changed");
    expect(second.stderr).toMatch(/Could not resolve "\.\/store\.mjs"/);
    expect(await (await fetch(`${cluster.httpUrl}/grow-orders`)).text()).toBe("[]");
    expect((await functionNames()).filter((name) => name.startsWith("grow-")).sort()).toEqual(["grow-ListOrdersFunction", "grow-NightlyFunction"]);
  }, DEPLOYS_TIMEOUT_MS);

  it("refuses a template with a resource type Lambent does not have, naming it, before anything changes", async () => {
    const result = await lambent("deploy", `${FIXTURES}unsupported-resource/template.yaml`, "--stack-name", "jobs");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("JobsQueue: Type: resource type AWS::SQS::Queue is not supported by Lambent");
    expect((await functionNames()).filter((name) => name.startsWith("jobs-"))).toEqual([]);
  });

  it("keeps deploying a plain function folder with --name, and refuses template flags there", async () => {
    const plain = await lambent("deploy", `${SAM_APP}/hello-world`, "--name", "plain-hello", "--handler", "app.lambdaHandler");
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain("created function plain-hello");
    const mixed = await lambent("deploy", `${SAM_APP}/hello-world`, "--stack-name", "x");
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--stack-name, --parameter-overrides and --wait are for a template/);
  });

  it("lists the applications by their stacks and deletes one with its triggers, leaving every other function alone", async () => {
    const listed = await json<{ Applications: { StackName: string; Functions: { FunctionName: string; LogicalId: string }[] }[] }>("app", "list");
    const stacks = Object.fromEntries(listed.Applications.map((app) => [app.StackName, app.Functions.map((fn) => fn.FunctionName)]));
    expect(stacks["sam-app"]).toEqual(["sam-app-HelloWorldFunction"]);
    expect(stacks["greeter"]).toEqual(["greeter-greet"]);
    // A function deployed with --name belongs to no application.
    expect(Object.values(stacks).flat()).not.toContain("plain-hello");
    const triggersBefore = await json<{ Triggers: { Name: string }[] }>("trigger", "list", "--function", "greeter-greet");
    expect(triggersBefore.Triggers.length).toBeGreaterThan(0);

    const deleted = await json<{ StackName: string; DeletedFunctions: string[]; DeletedTriggers: string[] }>("app", "delete", "greeter");
    expect(deleted.DeletedFunctions).toEqual(["greeter-greet"]);
    expect(deleted.DeletedTriggers.sort()).toEqual(triggersBefore.Triggers.map((trigger) => trigger.Name).sort());
    const names = await functionNames();
    expect(names).not.toContain("greeter-greet");
    expect(names).toEqual(expect.arrayContaining(["sam-app-HelloWorldFunction", "plain-hello"]));
    expect((await json<{ Triggers: { Name: string }[] }>("trigger", "list")).Triggers.map((trigger) => trigger.Name)).not.toEqual(expect.arrayContaining(deleted.DeletedTriggers));
    const again = await lambent("app", "delete", "greeter");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no application named 'greeter'/);
  }, DEPLOYS_TIMEOUT_MS);

  it("removes a function the template no longer lists, with its trigger, when deployed again", async () => {
    const folder = await mkdtemp(join(tmpdir(), "lambent-sam-pair-"));
    try {
      await cp(`${SAM_APP}/hello-world`, join(folder, "hello-world"), { recursive: true });
      const functionResource = (id: string, extra = "") => `  ${id}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs20.x
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /pair-${id.toLowerCase()}
            Method: get
${extra}`;
      const nightly = `        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
`;
      await writeFile(join(folder, "template.yaml"), `Transform: AWS::Serverless-2016-10-31\nResources:\n${functionResource("Kept")}${functionResource("Dropped", nightly)}`);
      const first = await json<DeployAnswer>("deploy", folder, "--stack-name", "pair");
      expect(first.Functions.map((fn) => fn.FunctionName).sort()).toEqual(["pair-Dropped", "pair-Kept"]);
      const droppedTriggers = (await json<{ Triggers: { Name: string }[] }>("trigger", "list", "--function", "pair-Dropped")).Triggers.map((trigger) => trigger.Name);
      expect(droppedTriggers).toHaveLength(1);

      await writeFile(join(folder, "template.yaml"), `Transform: AWS::Serverless-2016-10-31\nResources:\n${functionResource("Kept")}`);
      const second = await json<DeployAnswer & { Removed: { LogicalId: string; FunctionName: string }[] }>("deploy", folder, "--stack-name", "pair");
      expect(second.Removed).toEqual([{ LogicalId: "Dropped", FunctionName: "pair-Dropped" }]);
      const names = await functionNames();
      expect(names).toContain("pair-Kept");
      expect(names).not.toContain("pair-Dropped");
      expect((await json<{ Triggers: { Name: string }[] }>("trigger", "list")).Triggers.map((trigger) => trigger.Name)).not.toContain(droppedTriggers[0]);
      // Functions of other stacks are never a stack's to remove.
      expect(names).toContain("sam-app-HelloWorldFunction");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, DEPLOYS_TIMEOUT_MS);
});
