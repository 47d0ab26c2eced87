// docs/errors.md and the code's error tables must agree.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { LambdaErrorTypes } from "@lambent/errors";
import { HttpStatusOfError } from "../../services/frontend/src/http/error-status.js";
import { GrpcStatusOfError } from "../../services/frontend/src/grpc/error-status.js";

const rows = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8")
  .split("\n")
  .map((line) => /^\| `(\w+)` \| (\d{3}) \| (\w+) \|/.exec(line))
  .filter((match): match is RegExpExecArray => match !== null);

describe("docs/errors.md", () => {
  it("lists every error type exactly once", () => {
    expect(rows.map((row) => row[1]).sort()).toEqual([...LambdaErrorTypes].sort());
  });

  it.each(rows.map((row) => [row[1]!, Number(row[2]), row[3]!] as const))("%s is HTTP %i and gRPC %s", (type, http, code) => {
    expect(HttpStatusOfError[type as keyof typeof HttpStatusOfError]).toBe(http);
    expect(grpc.status[GrpcStatusOfError[type as keyof typeof GrpcStatusOfError]]).toBe(code);
  });
});
