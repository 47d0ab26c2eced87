// The leader's part of triggers (a LeaderTask): a runner per enabled schedule, bucket and KV trigger,
// started when this scheduler leads and as triggers are created, changed (stopped and started again with
// the new record) or deleted. Topic triggers are not here: every scheduler serves those
// (topic-subscriptions.ts).
import type { KeySpaceView } from "@lambent/registry/kv";
import type { TriggerRecord } from "@lambent/registry/triggers";
import { triggerNameOf } from "@lambent/registry/triggers";
import type { Logger } from "@lambent/telemetry";
import type { LeaderTask } from "../leader-task.js";
import { SerialByKey } from "../serial-by-key.js";

export interface Runner {
  start(): void;
  stop(): Promise<void>;
  /** Takes a changed record in place when it can (true); otherwise the runner is replaced. */
  update?(record: TriggerRecord): boolean;
}

/** Makes the runner for a record; undefined when the leader has nothing to run for it (a topic). */
export type RunnerFactory = (record: TriggerRecord) => Runner | undefined;

export class TriggerRunner implements LeaderTask {
  readonly name = "trigger runner";
  private leading = false;
  private readonly runners = new Map<string, Runner>();
  /** Changes to one trigger are applied one after the other. */
  private readonly changes: SerialByKey;

  constructor(
    private readonly view: KeySpaceView<TriggerRecord>,
    private readonly makeRunner: RunnerFactory,
    logger: Logger,
  ) {
    this.changes = new SerialByKey((name, error) => logger.error("trigger runner change failed", { trigger: name, err: error }));
    view.onChange((key, value) => {
      const name = triggerNameOf(key);
      if (name !== undefined && this.leading) void this.apply(name, value);
    });
  }

  async start(): Promise<void> {
    this.leading = true;
    await Promise.all([...this.view.values()].map(([key, record]) => this.apply(triggerNameOf(key) ?? record.name, record)));
  }

  async stop(): Promise<void> {
    this.leading = false;
    await Promise.all([...this.runners.keys()].map((name) => this.apply(name, undefined)));
  }

  /** How many triggers this leader runs now. */
  get size(): number {
    return this.runners.size;
  }

  private apply(name: string, record: TriggerRecord | undefined): Promise<void> {
    return this.changes.run(name, () => this.applyNow(name, record));
  }

  private async applyNow(name: string, record: TriggerRecord | undefined): Promise<void> {
    const current = this.runners.get(name);
    if (current && record?.enabled && this.leading && current.update?.(record)) return;
    if (current) {
      this.runners.delete(name);
      await current.stop();
    }
    if (!record || !record.enabled || !this.leading) return;
    const runner = this.makeRunner(record);
    if (!runner) return;
    this.runners.set(name, runner);
    runner.start();
  }
}
