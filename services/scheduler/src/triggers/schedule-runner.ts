// Fires one schedule trigger while this scheduler leads. For each tick it enqueues the invocation first,
// with the dedup key `trigger:<name>:<tick ms>`, and only then records the tick in `triggerstate.<name>`
// by compare-and-set. So:
//   - a leader that dies between the two leaves the tick unrecorded; the next leader enqueues it again
//     and JetStream's duplicate window (2 minutes) stores it once;
//   - a deposed leader that has not noticed yet cannot record over the new one: its compare-and-set
//     fails, it reads the state again and finds the tick done.
// Missed ticks are not replayed one by one: whenever the runner starts or wakes, it fires only the latest
// tick due since the last recorded one (or since the schedule's start), then waits for the next.
import type { KV } from "@nats-io/kv";
import { createSchedule, latestFireTime, nextFireTime, type Schedule } from "@lambent/schedule-expression";
import { readTriggerState, writeTriggerState, type RevisionedTriggerState, type ScheduleSource, type TriggerRecord } from "@lambent/registry/triggers";
import type { ArnScope } from "@lambent/registry/functions";
import type { Logger } from "@lambent/telemetry";
import { schedulePayload } from "./events/scheduled-event.js";
import { pause, requestIdFor, type TriggerFirer } from "./trigger-firing.js";

/** Longest single wait; a longer one is taken in steps (timers hold at most about 24.8 days). */
const MAX_WAIT_MS = 2 ** 31 - 1;
/** Wait before trying a failed enqueue or state read/write again. */
const RETRY_DELAY_MS = 1_000;

export interface ScheduleRunnerOptions {
  trigger: TriggerRecord & { source: ScheduleSource };
  /** The functions bucket, where `triggerstate.<name>` lives. */
  kv: KV;
  firer: Pick<TriggerFirer, "fire">;
  scope: ArnScope;
  logger: Logger;
  now: () => number;
}

export class ScheduleRunner {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ScheduleRunnerOptions) {}

  start(): void {
    this.running ??= this.run().catch((error: unknown) => this.options.logger.error("schedule runner stopped", { trigger: this.options.trigger.name, err: error }));
  }

  /** Stops waiting; a firing under way completes (its enqueue and record are each safe to repeat). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { trigger, logger, now } = this.options;
    let schedule: Schedule;
    try {
      schedule = createSchedule(trigger.source.expression, trigger.source.timezone, trigger.source.start);
    } catch (error) {
      logger.error("schedule trigger has an expression that cannot run", { trigger: trigger.name, err: error });
      return;
    }
    const signal = this.stopping.signal;
    let state: RevisionedTriggerState | undefined;
    while (!signal.aborted) {
      try {
        state ??= await readTriggerState(this.options.kv, trigger.name);
        const from = Math.max(state.state?.lastTick ?? schedule.start, schedule.start);
        const time = now();
        const due = latestFireTime(schedule, time);
        if (due !== undefined && due > from) {
          state = await this.fire(due, state);
          continue;
        }
        const next = nextFireTime(schedule, Math.max(from, time));
        if (next === undefined) {
          logger.info("schedule trigger has no more ticks", { trigger: trigger.name });
          return;
        }
        await pause(Math.min(next - time, MAX_WAIT_MS), signal);
      } catch (error) {
        logger.warn("schedule trigger tick failed: trying again", { trigger: trigger.name, err: error });
        state = undefined;
        await pause(RETRY_DELAY_MS, signal);
      }
    }
  }

  /** Enqueues one tick, then records it; resolves with the state to go on from. */
  private async fire(tick: number, state: RevisionedTriggerState): Promise<RevisionedTriggerState> {
    const { trigger, kv, firer, scope, now } = this.options;
    const dedupKey = `trigger:${trigger.name}:${tick}`;
    const requestId = requestIdFor(dedupKey);
    await firer.fire(trigger, schedulePayload(trigger.source, scope, trigger.name, tick, requestId), { dedupKey, requestId });
    const recorded = { lastTick: tick, firedAt: now() };
    const revision = await writeTriggerState(kv, trigger.name, recorded, state.revision);
    // Another writer recorded first: what it recorded is the truth to go on from.
    if (revision === undefined) return readTriggerState(kv, trigger.name);
    return { state: recorded, revision };
  }
}
