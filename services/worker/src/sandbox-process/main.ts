// One sandbox process: a worker (server.ts) of its own on NATS, started and watched by the worker's
// supervisor (supervisor/). Function code runs only here, so a fatal V8 error in an isolate ends this
// process and no other. Before it ends it names the call that brought it down (report-channel.ts): the
// main thread does when V8 reports a catastrophe on one of isolated-vm's threads or when the process
// crosses its memory wall (memory-wall.ts), the watchdog thread does when the main thread itself is stuck.
// It answers its supervisor's requests for metrics, and exits at once if the supervisor goes away. Run
// with `node --no-node-snapshot` (isolated-vm needs it on Node 20).
import { connectNats, workerNodeOf, type CallCulprit } from "@lambent/protocol";
import { loadWorkerConfig } from "@lambent/config";
import { CodeStore, EnvironmentCipher, RegistryView, RoleCredentialsView, RolePoliciesView, openRegistryBuckets } from "@lambent/registry/functions";
import { MetricsRegistry, createLogger, startTracing, stopTracing } from "@lambent/telemetry";
import { prepareSandboxCache } from "../pool/sandbox-script.js";
import { buildWorker } from "../server.js";
import { startInvocationObservers } from "../log-observers.js";
import { SharedInlineWatch } from "./inline-watch.js";
import { MemoryWall } from "./memory-wall.js";
import { sendReport } from "./report-channel.js";
import { isSupervisorRequest, type SandboxMessage } from "./supervisor-messages.js";
import { SpareIsolates } from "../pool/spare-isolates.js";

/** An inline entry may hold the main thread for 50 ms; one that has not returned after this never will. */
const HUNG_AFTER_MS = 3_000;
/** Time for the last log lines to leave after a catastrophe, before the process ends. */
const EXIT_AFTER_CATASTROPHE_MS = 100;
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createLogger({ service: "worker", level: config.logLevel }).child({ workerId: config.workerId });
  const send = (message: SandboxMessage): void => {
    if (process.send) process.send(message);
  };
  // The supervisor is gone (killed with the node): so is this process, at once, like a crash.
  process.on("disconnect", () => process.exit(1));
  startTracing({ service: "lambent-worker", ...config.tracing });
  const nc = await connectNats({
    url: config.natsUrl,
    name: `lambent-worker-${config.workerId}`,
    identity: { role: "worker", workerNodeId: workerNodeOf(config.workerId) },
    auth: config.natsAuth,
  });
  const buckets = await openRegistryBuckets(nc, config.jetstreamReplicas);
  const cipher = EnvironmentCipher.fromSecrets(config.secrets, (message, fields) => logger.warn(message, fields));
  const view = new RegistryView(buckets.functions, cipher);
  const roleCredentials = new RoleCredentialsView(buckets.functions, cipher, (key, error) =>
    logger.warn("role credentials cannot be opened: functions with the role get none", { key, error: String(error) }),
  );
  const rolePolicies = new RolePoliciesView(buckets.functions, (key, error) =>
    logger.warn("role policy unreadable: ignored", { key, error: String(error) }),
  );
  await Promise.all([view.start(), roleCredentials.start(), rolePolicies.start()]);
  const observers = await startInvocationObservers(nc, buckets.functions, config, logger);
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  // The process's share of the memory, and its margin above it (the process itself, what the host holds
  // for calls in flight); functions' /tmp is charged by the pool and left out.
  const wall = new MemoryWall((config.memoryMb + config.sandboxMemoryMarginMb) * MB);
  const inlineWatch = new SharedInlineWatch(HUNG_AFTER_MS, wall.settings);
  let catastrophe = false;
  /** Ends this process as out of memory, naming `culprit` (when known) to the supervisor first. */
  /** Set once the worker is built: stops it taking calls. */
  let abandon = (): void => undefined;
  const endOutOfMemory = (message: string, culprit: CallCulprit | undefined, cause: string): void => {
    if (catastrophe) return;
    catastrophe = true;
    sendReport({ kind: "out-of-memory", message, ...(culprit ? { culprit } : {}) });
    // No new call may land here in the moments left: schedulers and callers hear it is draining.
    abandon();
    logger.error(`${cause}: this sandbox process ends`, { message, ...culprit });
    // Not process.exit: tearing the isolates down would wait for a stopped thread forever.
    setTimeout(() => process.kill(process.pid, "SIGKILL"), EXIT_AFTER_CATASTROPHE_MS);
  };
  inlineWatch.onOverMemory((event) => endOutOfMemory(event.message, wall.culprit(), "the sandbox process crossed its memory wall"));
  const worker = buildWorker(config, {
    nc,
    registry: view,
    targets: view,
    bundles: new CodeStore(buckets.code),
    logger,
    logSink: observers.sink,
    metrics,
    storageMeter: wall,
    roleCredentials,
    rolePolicies,
    environmentRuntime: {
      inlineWatch,
      tracker: wall,
      spares: new SpareIsolates(),
      onCatastrophe: (environment, requestId, message) => {
        const culprit = requestId ? { requestId, functionName: environment.record.functionName, version: environment.record.version } : undefined;
        endOutOfMemory(message, culprit, "an isolate ran out of memory fatally");
      },
    },
  });
  abandon = () => worker.abandon();
  prepareSandboxCache();
  await worker.start();
  process.on("message", (message: unknown) => {
    if (!isSupervisorRequest(message)) return;
    metrics.snapshot().then(
      (snapshot) => send({ type: "metrics", id: message.id, snapshot }),
      () => send({ type: "metrics", id: message.id, snapshot: [] }),
    );
  });
  logger.lifecycle("sandbox ready", { workerId: config.workerId });
  send({ type: "ready", workerId: config.workerId });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info("draining", { signal });
    worker
      .stop()
      .then(async () => {
        await observers.stop();
        view.stop();
        roleCredentials.stop();
        rolePolicies.stop();
        await nc.close();
        await stopTracing();
        await inlineWatch.stop();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error("drain failed", { err: error });
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  // Ctrl-C reaches the whole process group; the supervisor decides when its sandboxes stop.
  process.on("SIGINT", () => undefined);
}

main().catch((error: unknown) => {
  createLogger({ service: "worker" }).error("sandbox process failed to start", { err: error });
  process.exit(1);
});
