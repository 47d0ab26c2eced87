// Where the signer finds credentials and region (as the AWS CLI looks), and that what it signs the
// frontend's verifier takes: REST requests and gRPC calls.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findCredentials, findRegion, signGrpcCall } from "./index.js";

const directory = mkdtempSync(join(tmpdir(), "lambent-signing-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const credentialsFile = join(directory, "credentials");
const configFile = join(directory, "config");
writeFileSync(credentialsFile, "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n# a comment\n[ops]\naws_access_key_id=AKIDOPS\naws_secret_access_key=ops-secret\naws_session_token=ops-token\n");
writeFileSync(configFile, "[default]\nregion = eu-west-1\n[profile ops]\nregion = ap-south-1\n");
const files = { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: configFile };

describe("finding credentials and region", () => {
  it("prefers the environment's keys, then the profile's", () => {
    expect(findCredentials({ ...files, AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret" })).toEqual({ accessKeyId: "AKIDENV", secretAccessKey: "env-secret" });
    expect(findCredentials(files)).toEqual({ accessKeyId: "AKIDDEFAULT", secretAccessKey: "default-secret" });
    expect(findCredentials({ ...files, AWS_PROFILE: "ops" })).toEqual({ accessKeyId: "AKIDOPS", secretAccessKey: "ops-secret", sessionToken: "ops-token" });
    expect(findCredentials({ AWS_SHARED_CREDENTIALS_FILE: join(directory, "missing") })).toBeUndefined();
  });

  it("takes the region from the environment, then the profile's config, then us-east-1", () => {
    expect(findRegion({ ...files, AWS_REGION: "us-west-2" })).toBe("us-west-2");
    expect(findRegion({ ...files, AWS_DEFAULT_REGION: "ca-central-1" })).toBe("ca-central-1");
    expect(findRegion(files)).toBe("eu-west-1");
    expect(findRegion({ ...files, AWS_PROFILE: "ops" })).toBe("ap-south-1");
    expect(findRegion({ AWS_CONFIG_FILE: join(directory, "missing") })).toBe("us-east-1");
  });
});

describe("gRPC call signatures", () => {
  it("name the method, the key's scope and the time", async () => {
    const metadata = await signGrpcCall("/lambent.v1.Lambda/Invoke", { accessKeyId: "AKIDOPS", secretAccessKey: "s", sessionToken: "t" }, "eu-west-1", new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(metadata["x-amz-date"]).toBe("20260102T030405Z");
    expect(metadata["x-amz-security-token"]).toBe("t");
    expect(metadata["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDOPS\/20260102\/eu-west-1\/lambda\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  });
});
