// Work only the leading scheduler does (running queued events, firing triggers, polling event sources):
// started once it leads and has recovered, stopped when it is deposed or shuts down. A task resumes from
// what NATS holds (consumers, checkpoints), so the next leader carries on where this one stopped.
import type { Logger } from "@lambent/telemetry";

export interface LeaderTask {
  /** Names the task in logs. */
  readonly name: string;
  start(): Promise<void>;
  /** Stops taking new work; resolves once what it started has settled or been handed back. */
  stop(): Promise<void>;
}

/** Starts every task; a task that fails to start is logged and does not hold back the others. */
export function startLeaderTasks(tasks: readonly LeaderTask[], logger: Logger): void {
  for (const task of tasks) {
    task.start().catch((error: unknown) => logger.error("leader task did not start", { task: task.name, err: error }));
  }
}

export async function stopLeaderTasks(tasks: readonly LeaderTask[], logger: Logger): Promise<void> {
  await Promise.all(
    tasks.map((task) => task.stop().catch((error: unknown) => logger.error("leader task did not stop cleanly", { task: task.name, err: error }))),
  );
}
