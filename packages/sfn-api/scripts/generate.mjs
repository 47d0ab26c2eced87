// Generates Step Functions' API shapes from AWS's service model. With `--from <service-2.json[.gz]>` it
// first trims the full model (botocore's data/stepfunctions/2016-11-23) to the operations Lambent serves
// and the shapes they reach, without documentation, into model/stepfunctions-2016-11-23.json; then, always,
// it writes src/model.ts (the trimmed model as a module) and src/shapes.ts (TypeScript types) from that file.
// The staleness test (src/generated.test.ts) renders both again and fails on any difference.
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { renderModel, renderShapes, trimModel } from "./render.mjs";

const here = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const MODEL = here("model/stepfunctions-2016-11-23.json");

const from = process.argv.indexOf("--from");
if (from >= 0) {
  const source = process.argv[from + 1];
  const bytes = readFileSync(source);
  const full = JSON.parse((source.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
  writeFileSync(MODEL, JSON.stringify(trimModel(full), null, 1) + "\n");
}
const model = JSON.parse(readFileSync(MODEL, "utf8"));
writeFileSync(here("src/model.ts"), renderModel(model));
writeFileSync(here("src/shapes.ts"), renderShapes(model));
