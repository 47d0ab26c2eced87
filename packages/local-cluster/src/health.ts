// Waiting for a frontend's /healthz to answer 200: the cluster can serve invocations.

export async function waitUntilHealthy(httpUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${httpUrl}/healthz`);
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    // A probe, not synchronisation on an event we could await: the cluster has no "ready" message to wait on.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${httpUrl} did not become healthy: ${last}`);
}
