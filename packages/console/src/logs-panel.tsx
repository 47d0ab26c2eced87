// A function's Logs tab: a live tail of its log (GetLogs with follow, from the log stream) with a filter,
// and, when a request id is in the URL, that invocation's detail: its REPORT fields, trace id and lines.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { LogEventResponse } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, Link, useLoad } from "./components.js";
import { appendToTail, invocationDetailOf, matchesFilter, traceLinkOf } from "./invocation-log.js";
import { hrefOf } from "./router.js";
import { consoleSettings } from "./session.js";

export function LogsPanel(props: { api: LambdaApi; name: string; requestId?: string | undefined }) {
  return props.requestId ? <InvocationDetailView api={props.api} name={props.name} requestId={props.requestId} /> : <LogTail api={props.api} name={props.name} />;
}

function LogTail(props: { api: LambdaApi; name: string }) {
  const [lines, setLines] = useState<LogEventResponse[]>([]);
  const [filter, setFilter] = useState("");
  const [live, setLive] = useState(true);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!live) return;
    const abort = new AbortController();
    setLines([]);
    setError(undefined);
    props.api.followLogs(props.name, "15m", abort.signal, (events) => setLines((tail) => appendToTail(tail, events))).then(
      () => undefined,
      (failure: unknown) => {
        setError(failure);
        setLive(false);
      },
    );
    return () => abort.abort();
  }, [props.name, live]);

  const shown = useMemo(() => lines.filter((event) => matchesFilter(event, filter)), [lines, filter]);
  return (
    <section class="panel" aria-labelledby="logs-title">
      <div class="section-head">
        <h2 id="logs-title">Log</h2>
        <button type="button" onClick={() => setLive(!live)} aria-pressed={live}>
          {live ? "Pause tail" : "Resume tail"}
        </button>
      </div>
      <p class="hint">
        The last 15 minutes, then each invocation's lines as it finishes{live ? "" : " (paused)"}. Choose a request id for that invocation's detail.
      </p>
      <label class="search">
        Filter
        <input type="search" placeholder="Words the line must contain, or a request id" value={filter} onInput={(event) => setFilter(event.currentTarget.value)} />
      </label>
      {error ? <ErrorNotice error={error} title="The tail stopped." /> : null}
      <p class="hint" aria-live="polite">
        {shown.length} of {lines.length} lines
      </p>
      <ol class="log-lines" aria-label="Log lines">
        {shown.map((event, index) => (
          <li key={`${event.RequestId}:${index}`}>
            <Link href={hrefOf({ page: "function", name: props.name, tab: "logs", requestId: event.RequestId })} class="request-id">
              {event.RequestId.slice(0, 8)}
            </Link>
            <code>{event.Message}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}

const ms = (value: number | undefined): string | undefined => (value === undefined ? undefined : `${value.toFixed(2)} ms`);
const mb = (value: number | undefined): string | undefined => (value === undefined ? undefined : `${value} MB`);

function InvocationDetailView(props: { api: LambdaApi; name: string; requestId: string }) {
  // The log keeps a week by default; a request id narrows the read to its own lines.
  const events = useLoad(() => props.api.getLogs(props.name, { since: "7d", requestId: props.requestId }), `invocation:${props.name}:${props.requestId}`);
  const detail = events.data ? invocationDetailOf(props.requestId, events.data) : undefined;
  const fields: [string, string | undefined][] = detail
    ? [
        ["Request ID", detail.requestId],
        ["Version", detail.version],
        ["Finished", detail.finishedAt === undefined ? undefined : new Date(detail.finishedAt).toLocaleString()],
        ["Init duration", ms(detail.report?.initDurationMs)],
        ["Duration", ms(detail.report?.durationMs)],
        ["Billed duration", ms(detail.report?.billedDurationMs)],
        ["Memory size", mb(detail.report?.memorySizeMb)],
        ["Max memory used", mb(detail.report?.maxMemoryUsedMb)],
        ["Log stream", detail.logStreamName],
      ]
    : [];
  const traceUrl = useMemo(() => consoleSettings().traceUrl, []);
  return (
    <section class="panel" aria-labelledby="invocation-title">
      <p class="breadcrumb">
        <Link href={hrefOf({ page: "function", name: props.name, tab: "logs" })}>Back to the log</Link>
      </p>
      <h2 id="invocation-title">Invocation {props.requestId}</h2>
      {events.error ? <ErrorNotice error={events.error} /> : null}
      {events.loading && !events.data ? <p aria-live="polite">Loading…</p> : null}
      {detail && detail.lines.length === 0 ? <p class="empty">No line of this invocation is in the log (it keeps the last days only).</p> : null}
      {detail && detail.lines.length > 0 ? (
        <>
          <dl class="summary-list" aria-label="Invocation summary">
            {fields
              .filter((field): field is [string, string] => field[1] !== undefined)
              .map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            <div>
              <dt>Trace ID</dt>
              <dd>
                {detail.traceId === undefined ? (
                  <span class="hint">not traced (tracing was off)</span>
                ) : traceUrl ? (
                  <a href={traceLinkOf(traceUrl, detail.traceId)} target="_blank" rel="noopener noreferrer">
                    <code>{detail.traceId}</code>
                  </a>
                ) : (
                  <code class="copyable">{detail.traceId}</code>
                )}
              </dd>
            </div>
          </dl>
          <h3>Log output</h3>
          <pre class="log-output">{detail.lines.join("\n")}</pre>
        </>
      ) : null}
    </section>
  );
}
