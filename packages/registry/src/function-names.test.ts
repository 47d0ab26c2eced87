// FunctionNamesView over a real nats-server: the names that exist when it starts, in order; a function
// created or deleted through its own store at once, and through another store once the watch brings it;
// an update or a published version changes nothing.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventually } from "@lambent/testkit";
import { useFunctionsBucket } from "./testing/functions-bucket.js";
import { functionRecord } from "./testing/function-records.js";
import { EnvironmentCipher } from "./environment-cipher.js";
import { LATEST } from "./function-record.js";
import { FunctionNamesView } from "./function-names.js";
import { FunctionStore } from "./function-store.js";

const bucket = useFunctionsBucket("function-names-test");
const cipher = new EnvironmentCipher([randomBytes(32)]);


describe("FunctionNamesView", () => {
  it("lists every function by name and follows creates and deletes, its own at once", async () => {
    const elsewhere = new FunctionStore(bucket.kv, cipher);
    await elsewhere.create(functionRecord("names-b"));
    await elsewhere.create(functionRecord("names-a"));
    await elsewhere.create(functionRecord("names-C"));
    await elsewhere.create(functionRecord("names-gone"));
    await elsewhere.deleteFunction("names-gone");
    const names = new FunctionNamesView(bucket.kv);
    await names.start();
    try {
      expect(names.names()).toEqual(["names-C", "names-a", "names-b"]);
      const own = new FunctionStore(bucket.kv, cipher, names);
      await own.create(functionRecord("names-d"));
      expect(names.names()).toEqual(["names-C", "names-a", "names-b", "names-d"]);
      await own.create(functionRecord("names-d", { version: "1" }));
      await own.update("names-d", LATEST, (current) => ({ ...current, memorySize: 256 }));
      expect(names.names()).toEqual(["names-C", "names-a", "names-b", "names-d"]);
      await own.deleteFunction("names-a");
      expect(names.names()).toEqual(["names-C", "names-b", "names-d"]);

      await elsewhere.create(functionRecord("names-e"));
      await elsewhere.deleteFunction("names-b");
      const followed = (): boolean => names.names().join(",") === "names-C,names-d,names-e";
      expect(await eventually(followed, { deadline: 30_000, message: "the watch never brought the other store's writes" })).toBe(true);
    } finally {
      names.stop();
    }
  });
});
