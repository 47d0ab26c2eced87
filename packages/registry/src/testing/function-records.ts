// A whole $LATEST record for registry tests, with the fields a test cares about given as overrides.
import { LATEST, type FunctionVersionRecord } from "../function-record.js";

export function functionRecord(functionName: string, overrides: Partial<FunctionVersionRecord> = {}): FunctionVersionRecord {
  return {
    functionName,
    version: LATEST,
    runtime: "nodejs20.x",
    handler: "index.handler",
    role: "arn:aws:iam::000000000000:role/test",
    memorySize: 128,
    timeout: 3,
    description: "",
    environment: {},
    ephemeralStorageMb: 512,
    architectures: ["x86_64"],
    codeSha256: "sha",
    codeSize: 1,
    packageObject: "package",
    bundleObject: "bundle",
    handlerFile: "index.mjs",
    revisionId: "r1",
    lastModified: "2020-04-10T19:06:32.563+0000",
    tags: {},
    ...overrides,
  };
}
