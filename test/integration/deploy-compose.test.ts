// deploy/compose.yaml, three Lambent nodes on one host, held together without starting it: three
// nats-servers whose routes (deploy/nats/cluster.conf) name each other, every service given every NATS
// server, each node's services on one node id and run directory, each worker on its own seed, no host
// port published twice, and no variable the services do not read.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Limits } from "../../services/frontend/src/control-plane/function-settings.js";
import { INIT_TIMEOUT_MS } from "../../services/worker/src/limits.js";
import { SERVICES, readYamlDocuments, serviceReads, type Service } from "./deploy-environment.js";

const DEPLOY = new URL("../../deploy/", import.meta.url);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | null>;
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const [compose] = readYamlDocuments(new URL("compose.yaml", DEPLOY)) as [{ services: Record<string, ComposeService> }];
const services = Object.entries(compose.services);
const containerfile = readFileSync(new URL("Containerfile", DEPLOY), "utf8");

const natsServices = services.filter(([, service]) => service.image?.startsWith("nats:"));
const lambentServices = services.flatMap(([name, service]) => {
  const role = service.command?.[0];
  return service.image?.startsWith("lambent") && (SERVICES as readonly string[]).includes(role ?? "") ? [{ name, service, role: role as Service }] : [];
});

function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? "")]));
}

/** `source:target[:mode]` → source and target. */
function mounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).map((volume) => {
    const [source = "", target = ""] = volume.split(":");
    return { source, target };
  });
}

/** The nats-server config file a NATS service runs, read from the deploy directory it is mounted from. */
function natsConfigOf(service: ComposeService): string {
  const configPath = service.command?.[service.command.indexOf("-c") + 1];
  const mount = mounts(service).find((candidate) => candidate.target === configPath);
  if (!mount) throw new Error(`no mount for ${configPath}`);
  return readFileSync(new URL(mount.source, DEPLOY), "utf8");
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)(s|m|h)$/.exec(duration ?? "10s");
  if (!match) throw new Error(`not a duration this test reads: ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as "s" | "m" | "h"];
}

describe("deploy/compose.yaml", () => {
  it("runs three clustered nats-servers whose routes name each other", () => {
    expect(natsServices).toHaveLength(3);
    const names = natsServices.map(([name]) => name).sort();
    expect(new Set(natsServices.map(([, service]) => environmentOf(service)["NATS_SERVER_NAME"])).size).toBe(3);
    for (const [name, service] of natsServices) {
      const config = natsConfigOf(service);
      const cluster = /cluster\s*\{[\s\S]*?listen:\s*[\d.]+:(\d+)/.exec(config);
      expect(cluster, `${name}: a cluster block with a listen port`).not.toBeNull();
      const routes = [...config.matchAll(/nats-route:\/\/([^:\s]+):(\d+)/g)];
      expect(routes.map((route) => route[1]).sort(), name).toEqual(names);
      for (const route of routes) expect(route[2], `${name}: route to ${route[1]}`).toBe(cluster![1]);
      expect(/^\s*jetstream\s*\{/m.test(config), `${name}: JetStream`).toBe(true);
    }
  });

  it("gives every Lambent service every NATS server, and replicates JetStream on all three", () => {
    const clientPorts = natsServices.map(([, service]) => /^listen:\s*[\d.]+:(\d+)/m.exec(natsConfigOf(service))?.[1]);
    const servers = natsServices.map(([name], index) => `${name}:${clientPorts[index]}`).sort();
    expect(lambentServices).toHaveLength(9);
    for (const { name, service } of lambentServices) {
      const environment = environmentOf(service);
      const urls = (environment["NATS_URL"] ?? "").split(",").map((url) => new URL(url.trim()));
      expect(urls.map((url) => `${url.hostname}:${url.port}`).sort(), name).toEqual(servers);
      expect(environment["LAMBENT_JETSTREAM_REPLICAS"], name).toBe(String(natsServices.length));
    }
  });

  it("makes three nodes: a frontend, a scheduler and a worker on one node id, the frontend and worker on one run directory", () => {
    const nodes = new Map<string, { role: Service; service: ComposeService }[]>();
    for (const { role, service } of lambentServices) {
      const node = environmentOf(service)["LAMBENT_NODE_ID"] ?? "";
      nodes.set(node, [...(nodes.get(node) ?? []), { role, service }]);
    }
    expect(nodes.size).toBe(3);
    for (const [node, members] of nodes) {
      expect(members.map(({ role }) => role).sort(), node).toEqual([...SERVICES].sort());
      const worker = members.find(({ role }) => role === "worker")!.service;
      const frontend = members.find(({ role }) => role === "frontend")!.service;
      const runDir = environmentOf(worker)["LAMBENT_RUN_DIR"];
      const runVolume = mounts(worker).find((mount) => mount.target === runDir)?.source;
      expect(runVolume, `${node}: the worker's run directory is a volume`).toBeDefined();
      expect(mounts(frontend), `${node}: the frontend sees the worker's sockets`).toContainEqual({ source: runVolume, target: runDir });
    }
  });

  it("gives each service its own NATS seed, and each worker the id its seed is for", () => {
    const workerIds = new Set<string>();
    for (const { name, role, service } of lambentServices) {
      const environment = environmentOf(service);
      const workerId = environment["LAMBENT_WORKER_ID"];
      if (role === "worker") workerIds.add(workerId ?? "");
      const seed = mounts(service).find((mount) => mount.target === environment["LAMBENT_NATS_NKEY_SEED_FILE"]);
      const expected = role === "worker" ? `worker-${workerId}.nk` : `${role}.nk`;
      expect(seed?.source, name).toBe(`./secrets/nats-credentials/${expected}`);
      expect(mounts(service).some((mount) => mount.target === environment["LAMBENT_NATS_CA"]), `${name} mounts the CA`).toBe(true);
    }
    expect(workerIds.size).toBe(3);
  });

  it("publishes no host port twice", () => {
    const published = services.flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => {
        const parts = port.split(":");
        // host-ip:host-port:container-port, or host-port:container-port.
        const hostPort = parts.length === 3 ? parts[1] : parts[0];
        return { name, hostPort: Number(hostPort) };
      }),
    );
    expect(published.length).toBeGreaterThan(0);
    const ports = published.map(({ hostPort }) => hostPort);
    expect(new Set(ports).size, JSON.stringify(published)).toBe(ports.length);
    for (const { name, hostPort } of published) expect(Number.isInteger(hostPort) && hostPort > 0, name).toBe(true);
  });

  it("builds the one image from deploy/Containerfile and checks each service's /livez where it listens", () => {
    const metricsPort = /LAMBENT_METRICS_PORT=(\d+)/.exec(containerfile)?.[1];
    expect(metricsPort).toBeDefined();
    for (const { name, role, service } of lambentServices) {
      expect(existsSync(new URL(`${service.build!.context}/${service.build!.dockerfile}`, DEPLOY)), name).toBe(true);
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(service.healthcheck?.test.join(" ") ?? "");
      expect(url?.[2], name).toBe("/livez");
      expect(url?.[1], name).toBe(role === "frontend" ? "8080" : metricsPort);
      if (role === "frontend") expect(service.ports?.every((port) => port.endsWith(":8080") || port.endsWith(":50051")), name).toBe(true);
    }
  });

  it("lets a worker, and a frontend holding a synchronous call, finish the longest call when stopped", () => {
    const longestCallSeconds = Limits.timeoutSeconds.max + INIT_TIMEOUT_MS / 1000;
    for (const { name, role, service } of lambentServices) {
      if (role !== "scheduler") expect(seconds(service.stop_grace_period), name).toBeGreaterThan(longestCallSeconds);
    }
  });

  it("sets no variable the services do not read", () => {
    for (const { name, role, service } of lambentServices) {
      for (const variable of Object.keys(environmentOf(service))) {
        expect(serviceReads(role, variable), `${name} is given ${variable}`).toBe(true);
      }
    }
  });
});
