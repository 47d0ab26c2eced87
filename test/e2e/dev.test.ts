// `lambent dev` as a child process against a real cluster: a function folder and a template deployed,
// a saved file redeploying only the function it belongs to (awaited as its "redeployed" line), the new
// code answering, the function's log lines followed, a template change deploying the template again, and
// Ctrl-C ending it with exit code 0.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const TIMEOUT_MS = 300_000;
let cluster: TestCluster;
let lambda: LambdaClient;
let folder: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  folder = await mkdtemp(join(tmpdir(), "lambent-dev-"));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  lambda?.destroy();
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** `lambent dev` running, its output read line by line; `line(pattern, from)` resolves with the first line at or after index `from` (default: from now on) that matches. */
function startDev(...args: string[]) {
  const child = spawn(process.execPath, [CLI, "dev", ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl } });
  children.push(child);
  const lines: string[] = [];
  let stderr = "";
  let waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      waiters = waiters.filter((waiter) => (waiter.pattern.test(line) ? (waiter.resolve(line), false) : true));
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    lines,
    stderr: () => stderr,
    /** The next line matching `pattern` printed after this call. */
    line: (pattern: RegExp, from = lines.length) =>
      new Promise<string>((resolve) => {
        const seen = lines.slice(from).find((line) => pattern.test(line));
        if (seen !== undefined) resolve(seen);
        else waiters.push({ pattern, resolve });
      }),
    stop: async () => {
      child.kill("SIGINT");
      return exited;
    },
    exited,
  };
}

async function invoke(functionName: string, qualifier?: string): Promise<unknown> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}), Payload: new TextEncoder().encode("{}") }));
  expect(answer.FunctionError, new TextDecoder().decode(answer.Payload)).toBeUndefined();
  return JSON.parse(new TextDecoder().decode(answer.Payload)) as unknown;
}

describe("lambent dev", () => {
  it("deploys a function folder, redeploys its code on a save, follows its logs, and stops on Ctrl-C", async () => {
    const app = join(folder, "solo");
    await mkdir(app, { recursive: true });
    await writeFile(join(app, "index.mjs"), `export const handler = async () => { console.log("answering one"); return { answer: 1 }; };\n`);
    const dev = startDev(app, "--name", "dev-solo");
    await dev.line(/^watching /, 0);
    expect(dev.lines).toContain("created function dev-solo");
    const before = dev.lines.length;
    expect(await invoke("dev-solo")).toEqual({ answer: 1 });
    await dev.line(/^\[dev-solo\] .*answering one/, before);

    const redeployed = dev.line(/^redeployed dev-solo/);
    await writeFile(join(app, "index.mjs"), `export const handler = async () => { console.log("answering two"); return { answer: 2 }; };\n`);
    expect(await redeployed).toMatch(/^redeployed dev-solo: code, in \d+ ms$/);
    const afterRedeploy = dev.lines.length;
    expect(await invoke("dev-solo")).toEqual({ answer: 2 });
    await dev.line(/^\[dev-solo\] .*answering two/, afterRedeploy);

    expect(await dev.stop()).toBe(0);
    expect(dev.lines).toContain("stopped watching");
  }, TIMEOUT_MS);

  it("redeploys only the changed function of a template, its alias moved, and the whole template when the template changes", async () => {
    const app = join(folder, "stack");
    await mkdir(join(app, "first"), { recursive: true });
    await mkdir(join(app, "second"), { recursive: true });
    await writeFile(join(app, "first", "index.js"), `exports.handler = async () => ({ first: 1 });\n`);
    await writeFile(join(app, "second", "index.js"), `exports.handler = async () => ({ second: process.env.WORD });\n`);
    const template = (word: string): string => `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: index.handler
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: first/
      AutoPublishAlias: live
  Second:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: second/
      Environment:
        Variables:
          WORD: ${word}
`;
    await writeFile(join(app, "template.yaml"), template("one"));
    const dev = startDev(app, "--stack-name", "devstack");
    await dev.line(/^watching /, 0);
    expect(dev.lines).toContain("deployed stack devstack: 2 functions, revision 1");
    expect(await invoke("devstack-First", "live")).toEqual({ first: 1 });

    const redeployed = dev.line(/^redeployed /);
    await writeFile(join(app, "first", "index.js"), `exports.handler = async () => ({ first: 2 });\n`);
    expect(await redeployed).toMatch(/^redeployed devstack-First \(First\): code, version 2 as live, in \d+ ms$/);
    expect(await invoke("devstack-First", "live")).toEqual({ first: 2 });
    expect(dev.lines.filter((line) => line.startsWith("redeployed "))).toHaveLength(1);

    const again = dev.line(/^redeployed stack devstack/);
    await writeFile(join(app, "template.yaml"), template("two"));
    expect(await again).toMatch(/^redeployed stack devstack: the template, in \d+ ms$/);
    expect(dev.lines).toContain("deployed stack devstack: 2 functions, revision 2");
    expect(await invoke("devstack-Second")).toEqual({ second: "two" });
    expect(await invoke("devstack-First", "live")).toEqual({ first: 2 });

    expect(await dev.stop()).toBe(0);
    expect(dev.stderr()).not.toMatch(/error/);
  }, TIMEOUT_MS);
});
