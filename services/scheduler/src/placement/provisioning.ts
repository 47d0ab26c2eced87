// Provisioned concurrency on the leader: resolves each config (a version, or an alias's version) to the
// environments it keeps ready, orders workers to hold their share, and answers how many are ready.
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { Subjects, encodeJson, environmentKey, parseJson, parseProvisionedStatusRequest, type ProvisionedStatus } from "@lambent/protocol";
import { isVersionNumber, type RegistryView } from "@lambent/registry/functions";
import { ProvisionedReconciler, type ProvisionTarget } from "./provisioned-reconciler.js";
import type { WorkerTable } from "./worker-table.js";

/** A worker that has not acted on a provisioning order by then is sent it again. */
const PROVISION_RESEND_MS = 5_000;

export interface ProvisioningDeps {
  nc: NatsConnection;
  view: RegistryView;
  workers: WorkerTable;
  now: () => number;
}

export class Provisioning {
  private readonly reconciler = new ProvisionedReconciler(PROVISION_RESEND_MS);

  constructor(private readonly deps: ProvisioningDeps) {}

  /** Sends every worker whose provisioned environments differ from its share the count it should hold. */
  reconcile(): void {
    const { nc, workers, now } = this.deps;
    for (const { workerId, request } of this.reconciler.plan(this.targets(), workers.all(), now())) {
      nc.publish(Subjects.workerProvision(workerId), encodeJson(request));
    }
  }

  /** Answers a frontend's GetProvisionedConcurrencyConfig: environments ready now. */
  answerStatus(msg: Msg): void {
    const request = parseProvisionedStatusRequest(parseJson(msg.data));
    const target = request && this.resolve(request.functionName, request.qualifier);
    const answer: ProvisionedStatus = { allocated: target ? ProvisionedReconciler.allocated(target.key, this.deps.workers.all()) : 0 };
    msg.respond(encodeJson(answer));
  }

  /** Provisioned concurrency configs resolved to the versions (and so environments) they keep ready. */
  private targets(): ProvisionTarget[] {
    const byKey = new Map<string, ProvisionTarget>();
    for (const config of Object.values(this.deps.view.concurrencySettings().provisioned)) {
      const target = this.resolve(config.functionName, config.qualifier);
      if (!target) continue;
      const existing = byKey.get(target.key);
      if (existing) existing.count += config.requested;
      else byKey.set(target.key, { ...target, count: config.requested });
    }
    return [...byKey.values()];
  }

  private resolve(functionName: string, qualifier: string): Omit<ProvisionTarget, "count"> | undefined {
    const { view } = this.deps;
    const version = isVersionNumber(qualifier) ? qualifier : view.cachedAlias(functionName, qualifier)?.functionVersion;
    const record = version === undefined ? undefined : view.cached(functionName, version);
    if (!record) return undefined;
    return { functionName, version: record.version, revisionId: record.revisionId, key: environmentKey(functionName, record.version, record.revisionId) };
  }
}
