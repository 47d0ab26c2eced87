import { describe, expect, it } from "vitest";
import { plan, refusal } from "./testing/plans.js";

const template = (codeUri: string, extra = ""): string => `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ${codeUri}, Handler: index.handler, Runtime: nodejs20.x }
${extra}`;

const LAYER = `  Libs:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: ../libs/ }
`;

const MACHINE = `  Flow:
    Type: AWS::Serverless::StateMachine
    Properties: { DefinitionUri: /etc/passwd }
`;

describe("local paths of a template confined to its folder", () => {
  it("reads paths inside the folder, and anywhere when not confined", () => {
    expect(plan(template("app/"), { confineToFolder: true }).functions[0]!.code).toEqual({ kind: "folder", path: "/apps/shop/app" });
    expect(plan(template("."), { confineToFolder: true }).functions[0]!.code).toEqual({ kind: "folder", path: "/apps/shop" });
    expect(plan(template("../shared/")).functions[0]!.code).toEqual({ kind: "folder", path: "/apps/shared" });
  });

  it("refuses CodeUri, ContentUri and DefinitionUri outside the folder, naming each, before reading any", () => {
    expect(refusal(template("../shared/"), { confineToFolder: true })).toEqual(["Fn: CodeUri: '../shared/' is outside the template's folder: a deployed folder's template reads only the files the folder holds"]);
    expect(refusal(template("/etc/bundle.zip"), { confineToFolder: true })[0]).toMatch(/^Fn: CodeUri: '\/etc\/bundle\.zip' is outside/);
    expect(refusal(template("app/", LAYER), { confineToFolder: true })).toEqual([expect.stringMatching(/^Libs: ContentUri: '\.\.\/libs\/' is outside/)]);
    expect(refusal(template("app/", MACHINE), { confineToFolder: true })).toEqual([expect.stringMatching(/^Flow: DefinitionUri: '\/etc\/passwd' is outside/)]);
  });
});
