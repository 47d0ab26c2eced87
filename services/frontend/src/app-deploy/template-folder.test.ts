import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { unpackTemplateFolder } from "./template-folder.js";

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function refusal(zip: Uint8Array): Promise<{ name: string; message: string }> {
  try {
    await unpackTemplateFolder(zip);
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error("expected the zip to be refused");
}

describe("unpackTemplateFolder", () => {
  it("unpacks the folder, finds its template at the root, and removes it all afterwards", async () => {
    const folder = await unpackTemplateFolder(zipSync({ "template.yml": text("Resources: {}\n"), "app/src/index.js": text("exports.handler = 1;") }));
    expect(folder.templatePath.endsWith("template.yml")).toBe(true);
    expect(await readFile(join(dirname(folder.templatePath), "app", "src", "index.js"), "utf8")).toBe("exports.handler = 1;");
    await folder.remove();
    expect(await stat(dirname(folder.templatePath)).catch(() => undefined)).toBeUndefined();
  });

  it("refuses paths that leave the folder, a zip without a template at its root, and what is not a zip", async () => {
    expect(await refusal(zipSync({ "template.yaml": text("x"), "../escape.js": text("1") }))).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/points outside/) });
    expect(await refusal(zipSync({ "template.yaml": text("x"), "/etc/escape": text("1") }))).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/points outside/) });
    expect(await refusal(zipSync({ "app/template.yaml": text("x") }))).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/template\.yaml/) });
    expect(await refusal(text("not a zip"))).toMatchObject({ name: "InvalidParameterValueException" });
  });

  it("refuses a zip naming a path as a file and as a folder, leaving nothing behind", async () => {
    expect(await refusal(zipSync({ "template.yaml": text("x"), "app": text("1"), "app/index.js": text("2") }))).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/names a file twice, or a file and a folder/) });
  });
});
