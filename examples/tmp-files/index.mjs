// Scratch files in /tmp: kept while the environment is warm, gone when it ends, private to it.
import { promises as fs } from "node:fs";

const log = "/tmp/visits.log";

export const handler = async (event) => {
  await fs.appendFile(log, `${event.name ?? "someone"}\n`);
  const visits = (await fs.readFile(log, "utf8")).trim().split("\n");
  return { visitsInThisEnvironment: visits.length, last: visits.at(-1) };
};
