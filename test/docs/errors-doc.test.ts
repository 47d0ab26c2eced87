// docs/errors.md and the code's error tables must agree.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { LambdaErrorTypes } from "@lambent/errors";
import { HttpStatusOfError } from "@lambent/errors";
import { GrpcStatusOfError } from "../../services/frontend/src/grpc/error-status.js";
import { GrpcStatusOfSfnError, HttpStatusOfSfnError } from "../../services/frontend/src/workflows/sfn-error.js";
import { HttpStatusOfCodeDeployError } from "../../services/frontend/src/function-api/codedeploy.js";

const [lambdaPart, rest] = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8").split("## Step Functions errors");
const [sfnPart, codeDeployPart] = (rest ?? "").split("## CodeDeploy errors");

const rowsOf = (text: string) =>
  text
    .split("\n")
    .map((line) => /^\| `(\w+)` \| (\d{3}) \| (\w+) \|/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null);
const rows = rowsOf(lambdaPart!);
const sfnRows = rowsOf(sfnPart ?? "");
const codeDeployRows = (codeDeployPart ?? "")
  .split("\n")
  .map((line) => /^\| `(\w+)` \| (\d{3}) \|/.exec(line))
  .filter((match): match is RegExpExecArray => match !== null);

describe("docs/errors.md", () => {
  it("lists every error type exactly once", () => {
    expect(rows.map((row) => row[1]).sort()).toEqual([...LambdaErrorTypes].sort());
  });

  it.each(rows.map((row) => [row[1]!, Number(row[2]), row[3]!] as const))("%s is HTTP %i and gRPC %s", (type, http, code) => {
    expect(HttpStatusOfError[type as keyof typeof HttpStatusOfError]).toBe(http);
    expect(grpc.status[GrpcStatusOfError[type as keyof typeof GrpcStatusOfError]]).toBe(code);
  });

  it("lists every Step Functions error type exactly once", () => {
    expect(sfnRows.map((row) => row[1]).sort()).toEqual(Object.keys(GrpcStatusOfSfnError).sort());
  });

  it("lists every CodeDeploy error type exactly once, with its HTTP status", () => {
    expect(codeDeployRows.map((row) => row[1]).sort()).toEqual(Object.keys(HttpStatusOfCodeDeployError).sort());
    for (const row of codeDeployRows) expect(HttpStatusOfCodeDeployError[row[1] as keyof typeof HttpStatusOfCodeDeployError], row[1]).toBe(Number(row[2]));
  });

  it.each(sfnRows.map((row) => [row[1]!, Number(row[2]), row[3]!] as const))("Step Functions' %s is HTTP %i and gRPC %s", (type, http, code) => {
    expect(HttpStatusOfSfnError[type as keyof typeof HttpStatusOfSfnError]).toBe(http);
    expect(grpc.status[GrpcStatusOfSfnError[type as keyof typeof GrpcStatusOfSfnError]]).toBe(code);
  });
});
