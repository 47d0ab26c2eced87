// What the deploy tests hold deploy/ to: the environment variables each service really reads (found by
// running its configuration reader and watching which variables it asks for, so a renamed or dropped
// variable shows up at once), and the deploy files parsed as YAML.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { loadFrontendConfig, loadSchedulerConfig, loadWorkerConfig, type Environment } from "@lambent/config";

export const SERVICES = ["frontend", "scheduler", "worker"] as const;
export type Service = (typeof SERVICES)[number];

const LOADERS: Record<Service, (env: Environment) => unknown> = {
  frontend: loadFrontendConfig,
  scheduler: loadSchedulerConfig,
  worker: loadWorkerConfig,
};

/** The worker passes `LAMBENT_AWS_ENDPOINT_URL[_<SERVICE>]` on to functions: a family, not a list. */
const WORKER_VARIABLE_FAMILY = /^LAMBENT_AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/;

/**
 * Every variable `service`'s configuration reader asks for. The workflow store's endpoint is set so that
 * the variables read only alongside it are asked for too.
 */
export function variablesReadBy(service: Service): ReadonlySet<string> {
  const read = new Set<string>();
  const values: Record<string, string> = {
    LAMBENT_WORKFLOW_S3_ENDPOINT: "http://store.invalid",
    LAMBENT_WORKFLOW_S3_ACCESS_KEY_ID: "id",
    LAMBENT_WORKFLOW_S3_SECRET_ACCESS_KEY: "secret",
  };
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return typeof key === "string" ? target[key] : undefined;
    },
  });
  LOADERS[service](env);
  return read;
}

/** Whether `service` reads `variable` (one of its own, or of a family it reads by pattern). */
export function serviceReads(service: Service, variable: string): boolean {
  return variablesReadBy(service).has(variable) || (service === "worker" && WORKER_VARIABLE_FAMILY.test(variable));
}

/** Every YAML document in the file at `url`, as plain data; `<<` merge keys resolved (compose uses them). */
export function readYamlDocuments(url: URL): unknown[] {
  return parseAllDocuments(readFileSync(url, "utf8"), { merge: true }).map((document) => {
    if (document.errors.length > 0) throw new Error(`${url.pathname}: ${document.errors.map((error) => error.message).join("; ")}`);
    return document.toJS() as unknown;
  });
}
