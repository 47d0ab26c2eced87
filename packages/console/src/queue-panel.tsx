// A function's Async queue tab: what its event queue holds now (GetQueueStats: depth, oldest event's age,
// and what became of its events), and the dead letters its dead-letter queue keeps, with their payloads,
// sent back to the function with Redrive (RedriveDeadLetters).
import { useState } from "preact/hooks";
import type { DeadLetter } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, useInterval, useLoad } from "./components.js";

const QUEUE_REFRESH_MS = 5_000;

const age = (ms: number): string => (ms < 1_000 ? `${ms} ms` : ms < 120_000 ? `${Math.round(ms / 1_000)} s` : `${Math.round(ms / 60_000)} min`);

export function QueuePanel(props: { api: LambdaApi; name: string }) {
  const stats = useLoad(() => props.api.getQueueStats(props.name), `queue:${props.name}`);
  useInterval(stats.reload, QUEUE_REFRESH_MS);
  const figures: [string, string][] = stats.data
    ? [
        ["Depth", String(stats.data.Depth)],
        ["Oldest event", stats.data.Depth === 0 ? "—" : age(stats.data.OldestEventAgeMs)],
        ["Succeeded", String(stats.data.Succeeded)],
        ["Retried", String(stats.data.Retried)],
        ["Dead-lettered", String(stats.data.DeadLettered)],
        ["Dropped for age", String(stats.data.DroppedForAge)],
      ]
    : [];
  return (
    <>
      <section class="panel" aria-labelledby="queue-title">
        <h2 id="queue-title">Event queue</h2>
        {stats.error ? <ErrorNotice error={stats.error} /> : null}
        {stats.data ? (
          <dl class="totals" aria-label="Event queue">
            {figures.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        <p class="hint">Events accepted with InvocationType Event wait here until a worker runs them; refreshed every {QUEUE_REFRESH_MS / 1000} s.</p>
      </section>
      <DeadLetters api={props.api} name={props.name} />
    </>
  );
}

function DeadLetters(props: { api: LambdaApi; name: string }) {
  const letters = useLoad(() => props.api.listDeadLetters(props.name), `dead-letters:${props.name}`);
  useInterval(letters.reload, QUEUE_REFRESH_MS);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const redrive = async (chosen: DeadLetter[]): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const answer = await props.api.redriveDeadLetters(
        props.name,
        chosen.map((letter) => letter.Sequence),
      );
      setNotice(`${answer.RequestIds.length} dead ${answer.RequestIds.length === 1 ? "letter" : "letters"} sent back to ${props.name}.`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      letters.reload();
    }
  };

  const data = letters.data;
  return (
    <section class="panel" aria-labelledby="dead-letters-title">
      <div class="section-head">
        <h2 id="dead-letters-title">Dead letters</h2>
        <div class="actions">
          <button type="button" onClick={letters.reload}>
            Refresh
          </button>
          <button type="button" class="primary" disabled={busy || !data || data.DeadLetters.length === 0} onClick={() => void redrive(data?.DeadLetters ?? [])}>
            Redrive all
          </button>
        </div>
      </div>
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} title="Redrive failed." /> : null}
      {letters.error ? <ErrorNotice error={letters.error} /> : null}
      {data && !data.TargetArn ? <p class="empty">This function has no dead-letter queue (DeadLetterConfig.TargetArn).</p> : null}
      {data?.TargetArn && !data.Stream ? <p class="empty">{data.TargetArn} keeps no messages: it is a topic, or no JetStream stream keeps its subject.</p> : null}
      {data?.Stream && data.DeadLetters.length === 0 ? <p class="empty">The dead-letter queue ({data.TargetArn}) is empty.</p> : null}
      {data?.Stream && data.DeadLetters.length > 0 ? (
        <>
          <p class="hint">
            {data.TargetArn}, kept by stream {data.Stream}; the newest first. Redrive stores each payload again as a new event of $LATEST and removes it from
            the queue.
          </p>
          <ol class="dead-letters" aria-label="Dead letters">
            {data.DeadLetters.map((letter) => (
              <li key={letter.Sequence}>
                <div class="section-head">
                  <span>
                    <strong>{letter.ErrorCode ?? "Dead letter"}</strong> {letter.ErrorMessage ?? ""} · {new Date(letter.Time).toLocaleString()}
                    {letter.RequestId ? ` · ${letter.RequestId}` : ""}
                  </span>
                  <button type="button" class="small" disabled={busy} onClick={() => void redrive([letter])} aria-label={`Redrive dead letter ${letter.Sequence}`}>
                    Redrive
                  </button>
                </div>
                <pre>{letter.Payload}</pre>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
