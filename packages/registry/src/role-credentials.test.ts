// Role credentials over a real nats-server: sealed in KV, listed without their secrets, and followed by
// the workers' view as they are set, rotated and removed.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventually } from "@lambent/testkit";
import { EnvironmentCipher } from "./environment-cipher.js";
import { useFunctionsBucket } from "./testing/functions-bucket.js";
import { RoleCredentialsStore, RoleCredentialsView, roleCredentialsKey, validateRoleCredentials } from "./role-credentials.js";

const bucket = useFunctionsBucket("role-credentials-test");
const cipher = new EnvironmentCipher([randomBytes(32)]);
const ROLE = "arn:aws:iam::123456789012:role/service-role/reader";
const OTHER_ROLE = "arn:aws:iam::123456789012:role/writer";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const follows = (check: () => boolean): Promise<boolean> => eventually(check, { deadline: 30_000, message: "the view never followed the change" });

describe("role credentials", () => {
  it("refuses what is not a role ARN or a credential", () => {
    expect(() => validateRoleCredentials("arn:aws:iam::123456789012:user/alice", { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" })).toThrow(/RoleArn/);
    expect(() => validateRoleCredentials(ROLE, { accessKeyId: "no", secretAccessKey: "x" })).toThrow(/AccessKeyId/);
    expect(() => validateRoleCredentials(ROLE, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "" })).toThrow(/SecretAccessKey/);
    expect(() => validateRoleCredentials(ROLE, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x", sessionToken: 7 })).toThrow(/SessionToken/);
    expect(validateRoleCredentials(ROLE, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" })).toEqual({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" });
  });

  it("stores the secret sealed, lists without it, and the view follows a set, a rotation and a removal", async () => {
    const store = new RoleCredentialsStore(bucket.kv, cipher);
    const unreadable: string[] = [];
    const view = new RoleCredentialsView(bucket.kv, cipher, (key) => unreadable.push(key));
    await store.put(ROLE, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET, sessionToken: "token-1" });
    await view.start();
    try {
      expect(view.environmentOf(ROLE)).toEqual({ AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: "token-1" });
      expect(view.environmentOf(OTHER_ROLE)).toBeUndefined();

      const raw = (await bucket.kv.get(roleCredentialsKey(ROLE)))!.string();
      expect(raw).not.toContain(SECRET);
      expect(raw).not.toContain("token-1");
      const listed = await store.list();
      expect(listed).toEqual([{ roleArn: ROLE, accessKeyId: "AKIAIOSFODNN7EXAMPLE", hasSessionToken: true, updatedAt: expect.any(String) }]);
      expect(JSON.stringify(listed)).not.toContain(SECRET);

      await store.put(ROLE, { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: "rotated" });
      await follows(() => view.environmentOf(ROLE)?.["AWS_ACCESS_KEY_ID"] === "AKIAI44QH8DHBEXAMPLE");
      expect(view.environmentOf(ROLE)).toEqual({ AWS_ACCESS_KEY_ID: "AKIAI44QH8DHBEXAMPLE", AWS_SECRET_ACCESS_KEY: "rotated" });

      // A sealed secret copied under another role's key does not open there.
      await bucket.kv.put(roleCredentialsKey(OTHER_ROLE), raw.replace(ROLE, OTHER_ROLE));
      await follows(() => unreadable.includes(roleCredentialsKey(OTHER_ROLE)));
      expect(view.environmentOf(OTHER_ROLE)).toBeUndefined();

      expect(await store.delete(ROLE)).toBe(true);
      expect(await store.delete(ROLE)).toBe(false);
      await follows(() => view.environmentOf(ROLE) === undefined);
    } finally {
      view.stop();
    }
  });
});
