// Test: a JSON event (typed, or one of the function's saved events), a synchronous Invoke with LogType Tail, and the answer as Lambda's console shows it:
// succeeded or failed, the response, a summary from the REPORT line, and the log output. A refused call
// (a throttle, a missing function) is shown as the API's error.
import { useState } from "preact/hooks";
import type { InvokeResult, LambdaApi } from "./api.js";
import { ErrorNotice } from "./components.js";
import { readTailLog, type InvocationReport } from "./log-result.js";
import { SavedEvents } from "./saved-events.js";

const DEFAULT_EVENT = JSON.stringify({ key1: "value1", key2: "value2", key3: "value3" }, null, 2);

/** Each function's event as last edited in this tab, so it outlives a switch to another tab of the page. */
const editedEvents = new Map<string, string>();

type Outcome = { kind: "result"; result: InvokeResult } | { kind: "refused"; error: unknown } | { kind: "invalid"; error: unknown };

export function TestPanel(props: { api: LambdaApi; name: string }) {
  const [event, setEvent] = useState(() => editedEvents.get(props.name) ?? DEFAULT_EVENT);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  const run = async (submitted: Event): Promise<void> => {
    submitted.preventDefault();
    try {
      JSON.parse(event);
    } catch (error) {
      setOutcome({ kind: "invalid", error });
      return;
    }
    setBusy(true);
    try {
      setOutcome({ kind: "result", result: await props.api.invoke(props.name, event) });
    } catch (error) {
      setOutcome({ kind: "refused", error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="test-panel">
      <form class="panel" onSubmit={(submitted) => void run(submitted)}>
        <h2>Test event</h2>
        <SavedEvents
          api={props.api}
          name={props.name}
          event={event}
          onLoad={(loaded) => {
            editedEvents.set(props.name, loaded);
            setEvent(loaded);
          }}
        />
        <label for="event-json">Event JSON</label>
        <textarea
          id="event-json"
          rows={10}
          spellcheck={false}
          value={event}
          onInput={(input) => {
            editedEvents.set(props.name, input.currentTarget.value);
            setEvent(input.currentTarget.value);
          }}
          onKeyDown={(key) => {
            if (key.key === "Enter" && (key.ctrlKey || key.metaKey)) key.currentTarget.form?.requestSubmit();
          }}
        />
        <p class="hint">Ctrl+Enter runs the test.</p>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Running…" : "Test"}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {outcome?.kind === "invalid" ? <ErrorNotice error={outcome.error} title="The event is not valid JSON." /> : null}
        {outcome?.kind === "refused" ? <ErrorNotice error={outcome.error} title="Executing function: refused." /> : null}
        {outcome?.kind === "result" ? <InvokeOutcome result={outcome.result} /> : null}
      </div>
    </div>
  );
}

function InvokeOutcome(props: { result: InvokeResult }) {
  const { result } = props;
  const log = result.logResult ? readTailLog(result.logResult) : undefined;
  const failed = result.functionError !== undefined;
  return (
    <section class={`panel result ${failed ? "result-failed" : "result-succeeded"}`} aria-labelledby="result-title">
      <h2 id="result-title">{failed ? `Executing function: failed (${result.functionError})` : "Executing function: succeeded"}</h2>
      <h3>Response</h3>
      <pre class="response">{pretty(result.payload)}</pre>
      <h3>Summary</h3>
      <Summary result={result} report={log?.report} />
      <h3>Log output</h3>
      <pre class="log-output">{log?.text ?? "(no log returned)"}</pre>
    </section>
  );
}

function Summary(props: { result: InvokeResult; report: InvocationReport | undefined }) {
  const { report } = props;
  const rows: [string, string | undefined][] = [
    ["Request ID", report?.requestId ?? props.result.requestId],
    ["Executed version", props.result.executedVersion],
    ["Init duration", ms(report?.initDurationMs)],
    ["Duration", ms(report?.durationMs)],
    ["Billed duration", ms(report?.billedDurationMs)],
    ["Resources configured", report?.memorySizeMb === undefined ? undefined : `${report.memorySizeMb} MB`],
    ["Max memory used", report?.maxMemoryUsedMb === undefined ? undefined : `${report.maxMemoryUsedMb} MB`],
  ];
  return (
    <dl class="summary-list">
      {rows
        .filter((row): row is [string, string] => row[1] !== undefined)
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

function ms(value: number | undefined): string | undefined {
  return value === undefined ? undefined : `${value.toFixed(2)} ms`;
}

function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
