// A SAM template deployed over the API on a real cluster that takes signed requests only: the zip of
// examples/sam-app sent with one signed request to DeployApplication, the function it made invoked, the
// same zip diffed (no changes); and deploys refused with nothing changed — a template Lambent cannot
// deploy, a zip whose paths leave its folder, a template naming code outside it, a body over the limit, a
// stack whose lock another deploy holds, and a caller allowed DeployApplication but not the calls a deploy
// makes.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { zipFolder } from "@lambent/app-deploy";
import { PackageLimits } from "@lambent/bundler";
import { ApiPaths } from "@lambent/lambda-api";
import { signingFetch } from "@lambent/request-signing";
import { eventually, startTestCluster, type TestCluster } from "@lambent/testkit";

const SAM_APP = fileURLToPath(new URL("../../examples/sam-app", import.meta.url));
const UNSUPPORTED = fileURLToPath(new URL("../fixtures/sam/unsupported-resource/template.yaml", import.meta.url));
const KEY = { accessKeyId: "AKIDLAMBENTDEPLOYER", secretAccessKey: "c2VjcmV0LWRlcGxveWVyLWtleQ" };
/** Deploys through the API, each a few seconds on a busy machine. */
const DEPLOYS_TIMEOUT_MS = 240_000;

let cluster: TestCluster;
let signed: typeof fetch;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_API_AUTH: "sigv4", LAMBENT_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}` } });
  signed = signingFetch("lambda", { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_REGION: "us-east-1" });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** An error's type (x-amzn-ErrorType) and message, in whichever field its model puts it. */
  type: string | null;
  message: string;
}

async function call(send: typeof fetch, method: string, path: string, body?: Uint8Array | string): Promise<Answer> {
  const response = await send(`${cluster.httpUrl}${path}`, { method, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  const parsed = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: response.status, body: parsed, type: response.headers.get("x-amzn-errortype"), message: String(parsed.message ?? parsed.Message ?? "") };
}

function deploy(stackName: string, zip: Uint8Array | string, send = signed, query = ""): Promise<Answer> {
  return call(send, "POST", `${ApiPaths.applicationDeployments(stackName)}${query}`, zip);
}

async function functionNames(): Promise<string[]> {
  const listed = await call(signed, "GET", `${ApiPaths.functions}/`);
  return (listed.body.Functions as { FunctionName: string }[]).map((fn) => fn.FunctionName);
}

async function revisionsOf(stackName: string): Promise<number> {
  const listed = await call(signed, "GET", ApiPaths.applicationRevisions(stackName));
  return listed.status === 404 ? 0 : (listed.body.Revisions as unknown[]).length;
}

describe("DeployApplication", () => {
  it("deploys examples/sam-app from one signed request, its function invoked after; the same zip diffed changes nothing", async () => {
    const { zip } = await zipFolder(SAM_APP);
    const deployed = await deploy("sam-api", zip);
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    expect(deployed.body).toMatchObject({
      StackName: "sam-api",
      Revision: 1,
      Functions: [{ LogicalId: "HelloWorldFunction", FunctionName: "sam-api-HelloWorldFunction", Action: "created", Routes: [`${cluster.httpUrl}/hello`] }],
      Outputs: { HelloWorldApi: `${cluster.httpUrl}/hello/` },
      Removed: [],
    });
    expect(deployed.body.Warnings).toEqual([expect.stringMatching(/^HelloWorldFunction: Architectures has no effect/)]);

    const invoked = await signed(`${cluster.httpUrl}${ApiPaths.invocations("sam-api-HelloWorldFunction")}`, { method: "POST", body: JSON.stringify({ path: "/hello", httpMethod: "GET" }) });
    expect(invoked.status).toBe(200);
    const payload = (await invoked.json()) as { statusCode: number; body: string };
    expect(payload.statusCode).toBe(200);
    expect(JSON.parse(payload.body)).toEqual({ message: "hello world" });

    const diff = await call(signed, "POST", ApiPaths.applicationDiff("sam-api"), zip);
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    expect(diff.body).toEqual({ StackName: "sam-api", CurrentRevision: 1, Changes: [], Warnings: [expect.stringMatching(/Architectures/)] });
  }, DEPLOYS_TIMEOUT_MS);

  it("refuses a template Lambent cannot deploy, naming the resource and property, with nothing changed", async () => {
    const zip = zipSync({ "template.yaml": new Uint8Array(await readFile(UNSUPPORTED)), "app/index.js": new TextEncoder().encode("exports.handler = async () => 1;") });
    const refused = await deploy("jobs", zip);
    expect(refused.status).toBe(400);
    expect(refused.type).toBe("InvalidParameterValueException");
    expect(refused.message).toContain("JobsQueue: Type: resource type AWS::SQS::Queue is not supported by Lambent");
    expect((await functionNames()).filter((name) => name.startsWith("jobs-"))).toEqual([]);
    expect(await revisionsOf("jobs")).toBe(0);
    // A parameter override it does not allow, given in the query, is the template's problem too.
    const { zip: app } = await zipFolder(SAM_APP);
    const unknown = await deploy("sam-api", app, signed, "?ParameterOverrides=NoSuch%3D1");
    expect(unknown.type).toBe("InvalidParameterValueException");
    expect(unknown.message).toMatch(/NoSuch/);
  }, DEPLOYS_TIMEOUT_MS);

  it("refuses a zip whose paths leave its folder, one without a template, and a body over the limit", async () => {
    const template = await readFile(`${SAM_APP}/template.yaml`);
    const escaping = zipSync({ "template.yaml": new Uint8Array(template), "../outside.js": new TextEncoder().encode("exports.handler = async () => 1;") });
    const refused = await deploy("hostile", escaping);
    expect(refused.type).toBe("InvalidParameterValueException");
    expect(refused.message).toMatch(/points outside/);
    const noTemplate = await deploy("hostile", zipSync({ "app/index.js": new TextEncoder().encode("1") }));
    expect(noTemplate.type).toBe("InvalidParameterValueException");
    expect(noTemplate.message).toMatch(/template\.yaml/);
    const notZip = await deploy("hostile", "not a zip");
    expect(notZip.type).toBe("InvalidParameterValueException");
    const tooLarge = await deploy("hostile", new Uint8Array(PackageLimits.zippedBytes + 1));
    expect(tooLarge.type).toBe("RequestTooLargeException");
    expect(await revisionsOf("hostile")).toBe(0);
  }, DEPLOYS_TIMEOUT_MS);

  it("refuses a deploy while another holds the stack's lock, as the CLI's is refused", async () => {
    const lock = await call(signed, "PUT", ApiPaths.applicationLock("sam-api"), JSON.stringify({ Owner: "another deploy", TtlSeconds: 60 }));
    expect(lock.status, JSON.stringify(lock.body)).toBe(201);
    try {
      const { zip } = await zipFolder(SAM_APP);
      const refused = await deploy("sam-api", zip);
      expect(refused.type).toBe("ResourceConflictException");
      expect(refused.message).toMatch(/another deploy/);
      expect(await revisionsOf("sam-api")).toBe(1);
    } finally {
      const lockId = (lock.body.Lock as { LockId: string }).LockId;
      await call(signed, "DELETE", `${ApiPaths.applicationLock("sam-api")}?LockId=${encodeURIComponent(lockId)}`);
    }
  }, DEPLOYS_TIMEOUT_MS);

  it("makes every call of the deploy as the request's caller: one allowed DeployApplication alone changes nothing", async () => {
    const made = await call(signed, "POST", ApiPaths.accessKeys, JSON.stringify({ UserName: "deploy-only", Policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambent:DeployApplication", Resource: "*" }] } }));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const user = signingFetch("lambda", { AWS_ACCESS_KEY_ID: String(made.body.AccessKeyId), AWS_SECRET_ACCESS_KEY: String(made.body.SecretAccessKey), AWS_REGION: "us-east-1" });
    const { zip } = await zipFolder(SAM_APP);
    // The frontend follows new keys from KV: until it has this one, the key is unknown.
    const refused = await eventually(
      async () => {
        const answer = await deploy("deploy-only", zip, user);
        return answer.type === "UnrecognizedClientException" ? undefined : answer;
      },
      { deadline: 30_000, message: "the frontend never took the new key" },
    );
    expect(refused.type).toBe("AccessDeniedException");
    expect(refused.message).toMatch(/user\/deploy-only is not authorized to perform: lambda:ListFunctions/);
    expect((await functionNames()).filter((name) => name.startsWith("deploy-only-"))).toEqual([]);
    expect(await revisionsOf("deploy-only")).toBe(0);
  }, DEPLOYS_TIMEOUT_MS);
});
