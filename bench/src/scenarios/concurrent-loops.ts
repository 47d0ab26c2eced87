// Closed-loop load inside this process, for paths with no HTTP face (NATS request/reply).
import { summarize, type GeneratorRound } from "../stats.js";

export async function closedLoop(concurrency: number, durationMs: number, call: () => Promise<void>): Promise<GeneratorRound> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await call();
        latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedSeconds = (performance.now() - started) / 1000;
  return { requestsPerSecond: latencies.length / elapsedSeconds, errors, ...summarize(latencies) };
}
