// deploy/kubernetes held to the Kubernetes API's own schemas (test/fixtures/kubernetes-schemas, strict:
// no field the API does not know) and to what a production cluster needs: probes the services answer,
// resources, disruption budgets that select their pods, NATS servers and schedulers on separate nodes,
// rolling updates, workers given the time their drain takes, every NATS server given to the services, and
// no variable the services do not read.
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv, type ValidateFunction } from "ajv";
import { LIVENESS_PATH, MetricsRegistry, listenForMetrics, type MetricsListener } from "@lambent/telemetry";
import { loadFrontendConfig, loadSchedulerConfig, loadWorkerConfig } from "@lambent/config";
import { Limits } from "../../services/frontend/src/control-plane/function-settings.js";
import { INIT_TIMEOUT_MS } from "../../services/worker/src/limits.js";
import { SERVICES, readYamlDocuments, serviceReads, type Service } from "./deploy-environment.js";

const MANIFESTS = new URL("../../deploy/kubernetes/", import.meta.url);
const SCHEMAS = new URL("../fixtures/kubernetes-schemas/", import.meta.url);

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  tcpSocket?: { port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { containerPort: number; name?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
}
interface AffinityTerm {
  labelSelector: Selector;
  topologyKey: string;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[] } };
}
interface Workload {
  kind: "Deployment" | "StatefulSet";
  metadata: { name: string };
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: Selector;
    template: { metadata: { labels: Labels }; spec: PodSpec };
    strategy?: { type: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    updateStrategy?: { type: string; rollingUpdate?: { partition?: number } };
  };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: unknown;
  data?: Record<string, string>;
}

/** One vendored schema per apiVersion and kind, named as the source names them (`deployment-apps-v1`). */
function schemaFileOf(manifest: Manifest): string {
  const [group, version] = manifest.apiVersion.includes("/") ? manifest.apiVersion.split("/") : [undefined, manifest.apiVersion];
  return `${[manifest.kind.toLowerCase(), group?.split(".")[0], version].filter(Boolean).join("-")}.json`;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validators = new Map<string, ValidateFunction>();
function validatorFor(file: string): ValidateFunction {
  let validate = validators.get(file);
  if (!validate) {
    // `$schema` names draft 4 by a URL Ajv does not ship; the keywords used are the same in draft 7.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(new URL(file, SCHEMAS), "utf8")) as Record<string, unknown>;
    validate = ajv.compile(schema);
    validators.set(file, validate);
  }
  return validate;
}

function problemsOf(manifest: unknown): string[] {
  const file = schemaFileOf(manifest as Manifest);
  const validate = validatorFor(file);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`);
}

const files = readdirSync(MANIFESTS).filter((name) => name.endsWith(".yaml"));
const manifests = files.flatMap((file) => readYamlDocuments(new URL(file, MANIFESTS)).map((document) => ({ file, manifest: document as Manifest })));
const all = manifests.map(({ manifest }) => manifest);
const workloads = all.filter((manifest): manifest is Manifest & Workload => manifest.kind === "Deployment" || manifest.kind === "StatefulSet");
const budgets = all.filter((manifest) => manifest.kind === "PodDisruptionBudget") as (Manifest & { spec: { selector: Selector } })[];

function named<T extends Manifest>(kind: string, name: string): T {
  const found = all.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found as T;
}

function selects(selector: Selector, labels: Labels): boolean {
  // The manifests select by labels only; an expression would need its own reading here.
  if (selector.matchExpressions?.length) throw new Error("matchExpressions are not read by this test");
  const wanted = Object.entries(selector.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}

/** The Lambent service a container runs: the image's command is the service's name. */
function serviceOf(container: Container): Service | undefined {
  if (!container.image.startsWith("lambent:")) return undefined;
  const name = container.args?.[0];
  return (SERVICES as readonly string[]).includes(name ?? "") ? (name as Service) : undefined;
}

const lambentContainers = workloads.flatMap((workload) =>
  workload.spec.template.spec.containers.flatMap((container) => {
    const service = serviceOf(container);
    return service ? [{ workload, container, service }] : [];
  }),
);

const configMap = named<Manifest & { data: Record<string, string> }>("ConfigMap", "lambent");
const nats = named<Manifest & Workload>("StatefulSet", "lambent-nats");
const natsConfig = named<Manifest & { data: Record<string, string> }>("ConfigMap", "lambent-nats").data["nats.conf"] ?? "";

describe("deploy/kubernetes against the Kubernetes API's schemas", () => {
  it("has a schema for every kind it uses, and every document validates", () => {
    expect(manifests.length).toBeGreaterThan(0);
    const vendored = new Set(readdirSync(SCHEMAS));
    for (const { file, manifest } of manifests) {
      expect(vendored, `${file}: ${manifest.kind} ${manifest.apiVersion}`).toContain(schemaFileOf(manifest));
      expect(problemsOf(manifest), `${file}: ${manifest.kind} ${manifest.metadata.name}`).toEqual([]);
    }
  });

  it("the schemas refuse a misspelt field, a wrong type and a missing required field", () => {
    const misspelt = structuredClone(named<Manifest & Workload>("StatefulSet", "lambent-worker"));
    const container = misspelt.spec.template.spec.containers[0]! as Container & Record<string, unknown>;
    container["readinesProbe"] = container.readinessProbe;
    expect(problemsOf(misspelt).join("\n")).toMatch(/readinesProbe/);

    const wrongType = structuredClone(named<Manifest & Workload>("Deployment", "lambent-frontend")) as unknown as { spec: Record<string, unknown> };
    wrongType.spec["replicas"] = "two";
    expect(problemsOf(wrongType).join("\n")).toMatch(/\/spec\/replicas/);

    const selectorless = structuredClone(named<Manifest & Workload>("Deployment", "lambent-frontend")) as unknown as { spec: Record<string, unknown> };
    delete selectorless.spec["selector"];
    expect(problemsOf(selectorless).join("\n")).toMatch(/selector/);
  });
});

describe("deploy/kubernetes for production", () => {
  let metrics: MetricsListener;
  beforeAll(async () => {
    metrics = await listenForMetrics(new MetricsRegistry(), "127.0.0.1", 0);
  });
  afterAll(async () => {
    await metrics.close();
  });

  it("runs a frontend, a scheduler and a worker", () => {
    expect(new Set(lambentContainers.map(({ service }) => service))).toEqual(new Set(SERVICES));
  });

  it("every container has liveness and readiness probes on a port it declares, and resource requests and limits", () => {
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const where = `${workload.metadata.name}/${container.name}`;
        for (const resource of ["cpu", "memory"]) {
          expect(container.resources?.requests?.[resource], `${where} requests ${resource}`).toBeDefined();
          expect(container.resources?.limits?.[resource], `${where} limits ${resource}`).toBeDefined();
        }
        if (pod.initContainers?.includes(container)) continue;
        for (const probe of [container.livenessProbe, container.readinessProbe]) {
          expect(probe?.httpGet, `${where} probes over HTTP`).toBeDefined();
          const port = probe!.httpGet!.port;
          expect(container.ports?.some((declared) => declared.name === port || declared.containerPort === port), `${where} probes port ${port}`).toBe(true);
        }
      }
    }
  });

  it("probes paths the services answer, on the ports they listen on", async () => {
    for (const { workload, container, service } of lambentContainers) {
      const where = `${workload.metadata.name}/${container.name}`;
      const ports = Object.fromEntries((container.ports ?? []).map((port) => [port.name, port.containerPort]));
      const env = { ...configMap.data, ...Object.fromEntries((container.env ?? []).flatMap((variable) => (variable.value === undefined ? [] : [[variable.name, variable.value]]))) };
      const listening = { LAMBENT_HTTP_PORT: env["LAMBENT_HTTP_PORT"], LAMBENT_METRICS_PORT: env["LAMBENT_METRICS_PORT"] };
      for (const probe of [container.livenessProbe!, container.readinessProbe!, container.startupProbe!]) {
        const { path, port } = probe.httpGet!;
        const portNumber = typeof port === "number" ? port : ports[port];
        if (service === "frontend") {
          // The frontend's HTTP server answers /livez and /healthz (services/frontend/src/http/server.ts).
          expect(portNumber, where).toBe(loadFrontendConfig(listening).httpPort);
          expect([LIVENESS_PATH, "/healthz"], where).toContain(path);
        } else {
          const config = service === "scheduler" ? loadSchedulerConfig(listening) : loadWorkerConfig(listening);
          expect(portNumber, where).toBe(config.metrics.port);
          // The scheduler's and worker's listener is the telemetry package's: ask it.
          const answer = await fetch(`http://127.0.0.1:${metrics.port}${path}`);
          expect(answer.status, `${where} GET ${path}`).toBe(200);
        }
      }
    }
  });

  it("has a disruption budget for NATS, the frontends, the schedulers and the workers, each selecting its own pods only", () => {
    for (const name of ["lambent-nats", "lambent-frontend", "lambent-scheduler", "lambent-worker"]) {
      const workload = workloads.find((candidate) => candidate.metadata.name === name);
      expect(workload, name).toBeDefined();
      const labels = workload!.spec.template.metadata.labels;
      expect(selects(workload!.spec.selector, labels), `${name} selects its own template`).toBe(true);
      const covering = budgets.filter((budget) => selects(budget.spec.selector, labels));
      expect(covering.map((budget) => budget.metadata.name), name).toHaveLength(1);
      for (const other of workloads.filter((candidate) => candidate !== workload)) {
        expect(selects(covering[0]!.spec.selector, other.spec.template.metadata.labels), `${covering[0]!.metadata.name} selects ${other.metadata.name}`).toBe(false);
      }
    }
  });

  it("keeps NATS servers, and schedulers, on separate nodes", () => {
    for (const name of ["lambent-nats", "lambent-scheduler"]) {
      const workload = workloads.find((candidate) => candidate.metadata.name === name)!;
      const terms = workload.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      const own = terms.filter((term) => term.topologyKey === "kubernetes.io/hostname" && selects(term.labelSelector, workload.spec.template.metadata.labels));
      expect(own, name).toHaveLength(1);
    }
  });

  it("updates by rolling: a Deployment never goes below its replicas, a StatefulSet replaces one pod at a time", () => {
    for (const workload of workloads) {
      if (workload.kind === "Deployment") {
        expect(workload.spec.strategy?.type, workload.metadata.name).toBe("RollingUpdate");
        expect(workload.spec.strategy?.rollingUpdate?.maxUnavailable, workload.metadata.name).toBe(0);
      } else {
        expect(workload.spec.updateStrategy?.type ?? "RollingUpdate", workload.metadata.name).toBe("RollingUpdate");
        expect(workload.spec.updateStrategy?.rollingUpdate?.partition ?? 0, workload.metadata.name).toBe(0);
      }
    }
  });

  it("gives a draining worker, and a frontend holding a synchronous call, the longest call's time", () => {
    const longestCallSeconds = Limits.timeoutSeconds.max + INIT_TIMEOUT_MS / 1000;
    for (const { workload, container, service } of lambentContainers) {
      if (service === "scheduler") continue;
      const preStop = container.lifecycle?.preStop;
      const pause = preStop?.sleep?.seconds ?? (preStop?.exec?.command[0] === "sleep" ? Number(preStop.exec.command[1]) : 0);
      expect(workload.spec.template.spec.terminationGracePeriodSeconds ?? 30, workload.metadata.name).toBeGreaterThan(longestCallSeconds + pause);
    }
    // Each worker id is one pod at a time: a StatefulSet, whose pods are named for the id their seed is for.
    const worker = lambentContainers.find(({ service }) => service === "worker")!;
    expect(worker.workload.kind).toBe("StatefulSet");
    expect(worker.container.env?.find((variable) => variable.name === "LAMBENT_WORKER_ID")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.name");
  });

  it("gives every service every NATS server, and replicates JetStream on all of them", () => {
    const servers = Array.from({ length: nats.spec.replicas ?? 1 }, (_, index) => `${nats.metadata.name}-${index}.${nats.spec.serviceName}`);
    expect(servers).toHaveLength(3);
    const urls = (configMap.data["NATS_URL"] ?? "").split(",").map((url) => new URL(url.trim()));
    expect(urls.map((url) => `${url.hostname}:${url.port}`).sort()).toEqual(servers.map((server) => `${server}:4222`));
    expect(/^\s*listen:\s*0\.0\.0\.0:4222\s*$/m.test(natsConfig)).toBe(true);
    const routes = [...natsConfig.matchAll(/nats-route:\/\/([^:\s]+):(\d+)/g)].map((match) => `${match[1]}:${match[2]}`);
    expect(routes.sort()).toEqual(servers.map((server) => `${server}:6222`));
    expect(configMap.data["LAMBENT_JETSTREAM_REPLICAS"]).toBe(String(servers.length));
    for (const { workload, container } of lambentContainers) {
      expect(container.envFrom?.map((source) => source.configMapRef?.name), workload.metadata.name).toContain("lambent");
    }
  });

  it("sets no variable the services do not read", () => {
    const given = new Map<string, Set<Service>>();
    for (const { container, service } of lambentContainers) {
      for (const source of container.envFrom ?? []) {
        const data = source.configMapRef ? named<Manifest & { data: Record<string, string> }>("ConfigMap", source.configMapRef.name).data : {};
        for (const variable of Object.keys(data)) given.set(variable, (given.get(variable) ?? new Set()).add(service));
      }
      for (const variable of container.env ?? []) {
        expect(serviceReads(service, variable.name), `${service} is given ${variable.name}`).toBe(true);
      }
    }
    // A ConfigMap goes to several services: each of its variables is read by at least one of them.
    expect(given.size).toBeGreaterThan(0);
    for (const [variable, services] of given) {
      expect([...services].some((service) => serviceReads(service, variable)), `${variable} (given to ${[...services].join(", ")})`).toBe(true);
    }
  });
});
