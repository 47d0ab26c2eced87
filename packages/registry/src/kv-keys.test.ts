// listKeys over a real nats-server: the keys holding a value, each once, and a key the consumer's listing
// missed (as it does when the key is written while the listing runs) found from the stream's subjects.
import { describe, expect, it } from "vitest";
import type { KV } from "@nats-io/kv";
import { listKeys } from "./kv-keys.js";
import { useFunctionsBucket } from "./testing/functions-bucket.js";

const bucket = useFunctionsBucket("kv-keys-test");

/** The same bucket, whose consumer listing leaves out `left`: what a write racing the listing does. */
function listingWithout(kv: KV, left: string): KV {
  const racing = Object.create(kv) as KV;
  racing.keys = async (filter) => {
    const keys: string[] = [];
    for await (const key of await kv.keys(filter)) if (key !== left) keys.push(key);
    return (async function* () {
      yield* keys;
    })() as unknown as Awaited<ReturnType<KV["keys"]>>;
  };
  return racing;
}

describe("listKeys", () => {
  it("lists the keys that hold a value, not deleted or purged ones, and finds a key the consumer's listing missed", async () => {
    const kv = bucket.kv;
    for (const name of ["alpha", "beta", "gone", "purged"]) await kv.put(`fn.${name}.LATEST`, "{}");
    await kv.put("alias.alpha.live", "{}");
    await kv.delete("fn.gone.LATEST");
    await kv.purge("fn.purged.LATEST");

    expect((await listKeys(kv, "fn.*.LATEST")).sort()).toEqual(["fn.alpha.LATEST", "fn.beta.LATEST"]);
    expect((await listKeys(listingWithout(kv, "fn.beta.LATEST"), "fn.*.LATEST")).sort()).toEqual(["fn.alpha.LATEST", "fn.beta.LATEST"]);
  });
});
