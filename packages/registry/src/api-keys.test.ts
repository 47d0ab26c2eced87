// API keys over a real nats-server: the secret sealed in KV and shown once, listings without it, and the
// frontends' view following a key's creation, a policy change and its deletion.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventually } from "@lambent/testkit";
import { ApiKeyStore, ApiKeysView, apiKeyKey } from "./api-keys.js";
import { EnvironmentCipher } from "./environment-cipher.js";
import { useFunctionsBucket } from "./testing/functions-bucket.js";

const bucket = useFunctionsBucket("api-keys-test");
const cipher = new EnvironmentCipher([randomBytes(32)]);
const READ_ONLY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:Get*"], Resource: ["*"] }] };
const INVOKE = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: ["*"] }] };

const follows = (check: () => boolean): Promise<boolean> => eventually(check, { deadline: 30_000, message: "the view never followed the change" });

describe("API keys", () => {
  it("makes a key whose secret is shown once and sealed at rest, and the view follows it", async () => {
    const store = new ApiKeyStore(bucket.kv, cipher);
    const view = new ApiKeysView(bucket.kv, cipher, () => undefined);
    await view.start();
    try {
      const made = await store.create("ci", READ_ONLY);
      expect(made.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(made.secretAccessKey).toHaveLength(40);
      const raw = new TextDecoder().decode((await bucket.kv.get(apiKeyKey(made.accessKeyId)))!.value);
      expect(raw).not.toContain(made.secretAccessKey);
      expect(JSON.stringify(await store.list())).not.toContain(made.secretAccessKey);
      expect(await store.list()).toEqual([{ accessKeyId: made.accessKeyId, userName: "ci", policy: READ_ONLY, createdAt: expect.any(String), updatedAt: expect.any(String) }]);

      await follows(() => view.get(made.accessKeyId)?.secretAccessKey === made.secretAccessKey);
      expect(view.get(made.accessKeyId)).toMatchObject({ userName: "ci", policy: READ_ONLY });

      expect(await store.putPolicy(made.accessKeyId, INVOKE)).toMatchObject({ policy: INVOKE });
      await follows(() => JSON.stringify(view.get(made.accessKeyId)?.policy) === JSON.stringify(INVOKE));
      expect(await store.putPolicy("AKIANOSUCHKEY00000000", INVOKE)).toBeUndefined();

      expect(await store.delete(made.accessKeyId)).toBe(true);
      expect(await store.delete(made.accessKeyId)).toBe(false);
      await follows(() => view.get(made.accessKeyId) === undefined);
    } finally {
      view.stop();
    }
  });
});
