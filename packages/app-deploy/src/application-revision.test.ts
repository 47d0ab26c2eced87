import { describe, expect, it } from "vitest";
import type { FunctionPlan, PermissionPlan } from "@lambent/sam-template";
import { diffRevision, packageSha256, revisionDocumentOf, type RevisionDocument } from "./application-revision.js";
import { lockTtlSeconds } from "./application-lock.js";
import { DeployInputError } from "./reporter.js";

function plan(logicalId: string, changes: Partial<FunctionPlan> = {}): FunctionPlan {
  return {
    logicalId,
    functionName: `s-${logicalId}`,
    code: { kind: "folder", path: `/somewhere/${logicalId}` },
    role: "arn:aws:iam::000000000000:role/lambent",
    settings: { Handler: "index.handler", Runtime: "nodejs20.x", MemorySize: 128 },
    tags: { "lambent:stack": "s" },
    routes: [{ eventId: "Get", path: `/${logicalId}`, methods: ["GET"] }],
    schedules: [],
    ...changes,
  };
}

const permission: PermissionPlan = { logicalId: "Allow", functionName: "s-A", request: { StatementId: "Allow", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" } };

function revision(functions: FunctionPlan[], permissions: PermissionPlan[] = []): RevisionDocument {
  return {
    Operation: "deploy",
    Parameters: {},
    Functions: functions.map((fn) => ({ LogicalId: fn.logicalId, FunctionName: fn.functionName, Version: "1", CodeSha256: "x", PackageSha256: `sha-${fn.logicalId}`, Plan: fn })),
    Permissions: permissions,
  };
}

describe("diffRevision", () => {
  it("lists nothing for the same plans and packages, wherever their code folders are now", () => {
    const current = revision([plan("A"), plan("B")], [permission]);
    const same = [plan("A", { code: { kind: "folder", path: "/elsewhere" } }), plan("B")].map((fn) => ({ plan: fn, packageSha256: `sha-${fn.logicalId}` }));
    expect(diffRevision(current, same, [permission])).toEqual([]);
  });

  it("names what changes in a function, what is added, and what is removed, removals last", () => {
    const current = revision([plan("A"), plan("B", { schedules: [{ eventId: "Tick", name: "s-B-Tick", expression: "rate(1 hour)", enabled: true }] })], [permission]);
    const next = [
      { plan: plan("A", { settings: { Handler: "index.handler", Runtime: "nodejs20.x", MemorySize: 256 }, routes: [{ eventId: "Get", path: "/a2", methods: ["GET"] }] }), packageSha256: "other" },
      { plan: plan("C"), packageSha256: "sha-C" },
    ];
    expect(diffRevision(current, next, [])).toEqual([
      { action: "change", resource: "function s-A", logicalId: "A", details: ["code", "MemorySize: 128 → 256", "route + GET /a2", "route - GET /A"] },
      { action: "add", resource: "function s-C", logicalId: "C", details: [] },
      { action: "remove", resource: "function s-B", logicalId: "B", details: [] },
      { action: "remove", resource: "permission Allow", logicalId: "Allow", details: [] },
    ]);
  });

  it("names provisioned concurrency and EventInvokeConfig changes", () => {
    const current = revision([plan("A", { alias: "live", provisionedConcurrency: 1, eventInvokeConfig: { MaximumRetryAttempts: 0 } })]);
    const next = [{ plan: plan("A", { alias: "live", provisionedConcurrency: 2, eventInvokeConfig: { MaximumRetryAttempts: 1 } }), packageSha256: "sha-A" }];
    expect(diffRevision(current, next, [])[0]!.details).toEqual(["ProvisionedConcurrencyConfig: 1 → 2", 'EventInvokeConfig: {"MaximumRetryAttempts":0} → {"MaximumRetryAttempts":1}']);
    const removed = [{ plan: plan("A", { alias: "live" }), packageSha256: "sha-A" }];
    expect(diffRevision(current, removed, [])[0]!.details).toEqual(["ProvisionedConcurrencyConfig: 1 → (none)", 'EventInvokeConfig: {"MaximumRetryAttempts":0} → (none)']);
  });

  it("adds everything against a stack with no revision", () => {
    expect(diffRevision(undefined, [{ plan: plan("A"), packageSha256: "a" }], [permission]).map((change) => `${change.action} ${change.resource}`)).toEqual(["add function s-A", "add permission Allow"]);
  });
});

describe("revision documents", () => {
  it("refuses a document this CLI did not record, naming the revision", () => {
    expect(() => revisionDocumentOf({ something: 1 }, 4)).toThrow(/revision 4 was not recorded by lambent deploy/);
  });

  it("hashes a package's bytes, not its base64 text", () => {
    expect(packageSha256(Buffer.from("zip").toString("base64"))).toBe("SnD+mqZDbgLC3qNA+9HjUuTvLYzmylKtJdS5VHH8i/I=");
  });
});

describe("lockTtlSeconds", () => {
  it("is 60 seconds unless LAMBENT_DEPLOY_LOCK_TTL gives 1 to 3600", () => {
    expect(lockTtlSeconds({})).toBe(60);
    expect(lockTtlSeconds({ LAMBENT_DEPLOY_LOCK_TTL: "5" })).toBe(5);
    expect(() => lockTtlSeconds({ LAMBENT_DEPLOY_LOCK_TTL: "0" })).toThrow(DeployInputError);
    expect(() => lockTtlSeconds({ LAMBENT_DEPLOY_LOCK_TTL: "1.5" })).toThrow(DeployInputError);
  });
});
