// The worker's supervisor: runs LAMBENT_SANDBOXES sandbox processes (sandbox-process/main.ts), each a
// worker of its own on NATS with a share of the memory and environments, and keeps them running. When
// one ends without leaving, the supervisor announces it gone (with the call that brought it down, when
// the process named one before it ended), so its calls fail at once and the culprit's call fails as the
// function's own out-of-memory error; then it starts a fresh one, waiting longer after each crash in a
// row. The supervisor itself runs no function code.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { WorkerConfig } from "@lambent/config";
import { sandboxWorkerId, type WorkerGone } from "@lambent/protocol";
import type { Logger, MetricSnapshot } from "@lambent/telemetry";
import { parseReport, REPORT_FD, type SandboxReport } from "../sandbox-process/report-channel.js";
import { isSandboxMessage } from "../sandbox-process/supervisor-messages.js";

const SANDBOX_MAIN = new URL("../sandbox-process/main.js", import.meta.url);
/** The first restart after a crash waits this long; each further crash in a row doubles it. */
const FIRST_RESTART_MS = 250;
/** A sandbox that ran this long before it crashed starts again at once. */
const STABLE_AFTER_MS = 60_000;
const METRICS_TIMEOUT_MS = 2_000;
const READY_TIMEOUT_MS = 60_000;

export interface SandboxSupervisorOptions {
  config: WorkerConfig;
  logger: Logger;
  /** Tells the cluster a sandbox process ended without leaving. */
  announceLoss(gone: WorkerGone): void;
}

interface Sandbox {
  index: number;
  generation: number;
  workerId: string;
  child: ChildProcess;
  startedAt: number;
  report: SandboxReport | undefined;
}

export class SandboxSupervisor {
  private readonly sandboxes: (Sandbox | undefined)[];
  private readonly crashesInARow: number[];
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly metricRequests = new Map<number, (snapshot: MetricSnapshot) => void>();
  private nextMetricRequest = 1;
  private stopping = false;

  constructor(private readonly options: SandboxSupervisorOptions) {
    this.sandboxes = new Array<Sandbox | undefined>(options.config.sandboxes).fill(undefined);
    this.crashesInARow = new Array<number>(options.config.sandboxes).fill(0);
  }

  /** Starts every sandbox process; resolves when all are ready, rejects when one cannot start. */
  async start(): Promise<void> {
    await Promise.all(this.sandboxes.map((_, index) => this.launch(index, 0)));
  }

  /** Drains every sandbox process (SIGTERM: each finishes its calls and leaves) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    await Promise.all(
      this.sandboxes.map((sandbox) => {
        if (!sandbox || sandbox.child.exitCode !== null || sandbox.child.signalCode !== null) return undefined;
        const exited = new Promise<void>((resolve) => sandbox.child.once("exit", () => resolve()));
        sandbox.child.kill("SIGTERM");
        return exited;
      }),
    );
  }

  /** The worker ids of the sandbox processes running now. */
  workerIds(): string[] {
    return this.sandboxes.filter((sandbox): sandbox is Sandbox => sandbox !== undefined).map((sandbox) => sandbox.workerId);
  }

  /** Every running sandbox's metrics (one that does not answer in time is left out of this scrape). */
  async metrics(): Promise<MetricSnapshot[]> {
    const running = this.sandboxes.filter((sandbox): sandbox is Sandbox => sandbox !== undefined && sandbox.child.connected);
    const answers = await Promise.all(running.map((sandbox) => this.askMetrics(sandbox)));
    return answers.filter((snapshot): snapshot is MetricSnapshot => snapshot !== undefined);
  }

  private askMetrics(sandbox: Sandbox): Promise<MetricSnapshot | undefined> {
    const id = this.nextMetricRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.metricRequests.delete(id);
        resolve(undefined);
      }, METRICS_TIMEOUT_MS);
      this.metricRequests.set(id, (snapshot) => {
        clearTimeout(timer);
        resolve(snapshot);
      });
      try {
        sandbox.child.send({ type: "metrics", id });
      } catch {
        this.metricRequests.delete(id);
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  }

  /** Starts sandbox `index` (its `generation`-th process) and resolves once it is ready. */
  private launch(index: number, generation: number): Promise<void> {
    const { config, logger } = this.options;
    const workerId = sandboxWorkerId(config.workerId, index, generation);
    const share = (total: number, least: number): string => String(Math.max(least, Math.floor(total / config.sandboxes)));
    const child = spawn(process.execPath, [...process.execArgv, SANDBOX_MAIN.pathname], {
      env: {
        ...process.env,
        LAMBENT_WORKER_ID: workerId,
        LAMBENT_WORKER_MEMORY_MB: share(config.memoryMb, 128),
        LAMBENT_WORKER_MAX_ENVIRONMENTS: share(config.maxEnvironments, 1),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc", "pipe"],
    });
    const sandbox: Sandbox = { index, generation, workerId, child, startedAt: Date.now(), report: undefined };
    this.sandboxes[index] = sandbox;
    const reports = child.stdio[REPORT_FD] as Readable | null;
    if (reports) {
      createInterface({ input: reports }).on("line", (line) => {
        const report = parseReport(line);
        if (!report) return;
        sandbox.report = report;
        // A stuck main thread cannot exit by itself: the watchdog kills it, and this makes sure.
        if (report.kind === "hung") child.kill("SIGKILL");
      });
    }
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sandbox process ${workerId} was not ready in time`)), READY_TIMEOUT_MS);
      child.on("message", (message: unknown) => {
        if (!isSandboxMessage(message)) return;
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve();
        } else {
          this.metricRequests.get(message.id)?.(message.snapshot);
          this.metricRequests.delete(message.id);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`sandbox process ${workerId} exited (${signal ?? code}) before it was ready`));
        this.ended(sandbox, code, signal);
      });
    });
    ready.catch(() => undefined);
    if (generation > 0) ready.then(() => logger.info("sandbox process started again", { workerId }), (error: unknown) => logger.error("sandbox process did not start", { workerId, err: error }));
    return ready;
  }

  private ended(sandbox: Sandbox, code: number | null, signal: NodeJS.Signals | null): void {
    const { logger, config } = this.options;
    if (this.sandboxes[sandbox.index] === sandbox) this.sandboxes[sandbox.index] = undefined;
    if (this.stopping) return;
    // Exit code 0 is a drain the sandbox did itself: it already said goodbye.
    if (code !== 0 || sandbox.report) {
      const gone: WorkerGone = { workerId: sandbox.workerId, reason: sandbox.report?.kind ?? "crashed" };
      if (sandbox.report?.culprit) gone.culprit = sandbox.report.culprit;
      this.options.announceLoss(gone);
    }
    const stable = Date.now() - sandbox.startedAt >= STABLE_AFTER_MS;
    const crashes = stable ? 0 : this.crashesInARow[sandbox.index]!;
    this.crashesInARow[sandbox.index] = crashes + 1;
    const waitMs = stable ? 0 : Math.min(FIRST_RESTART_MS * 2 ** crashes, config.sandboxRestartMaxMs);
    logger.warn("sandbox process ended; starting a new one", {
      workerId: sandbox.workerId,
      reason: sandbox.report?.kind ?? "crashed",
      ...(sandbox.report?.culprit ? { culprit: sandbox.report.culprit } : {}),
      exitCode: code,
      signal,
      restartInMs: waitMs,
    });
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.stopping) void this.launch(sandbox.index, sandbox.generation + 1).catch(() => undefined);
    }, waitMs);
    this.restartTimers.add(timer);
  }
}
