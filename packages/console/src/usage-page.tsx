// The Usage page (GetUsage): each function's requests, billed duration and GB-seconds as the workers
// metered them in the period chosen, with a cost at the cluster's configured prices or at prices typed here
// (kept in the tab only), costliest first, and the cost per day.
import { useState } from "preact/hooks";
import type { LambdaApi } from "./api.js";
import { LineChart } from "./charts.js";
import { ErrorNotice, Link, useLoad } from "./components.js";
import { hrefOf } from "./router.js";
import {
  USAGE_PERIODS,
  costOf,
  formatDollars,
  parsePrice,
  usagePeriodOf,
  usageRowsOf,
  type CustomRange,
  type Prices,
  type UsagePeriodChoice,
  type UsageRow,
} from "./usage-cost.js";

const number = (value: number, fractionDigits = 2): string => value.toLocaleString("en-US", { maximumFractionDigits: fractionDigits });

const dayLabel = (time: number): string => new Date(time).toISOString().slice(5, 10);

export function UsagePage(props: { api: LambdaApi }) {
  const [choice, setChoice] = useState<UsagePeriodChoice>("7d");
  const [custom, setCustom] = useState<CustomRange>({ from: "", to: "" });
  const period = usagePeriodOf(choice, Date.now(), custom);
  const usage = useLoad(
    () => (period ? props.api.getUsage(period) : Promise.resolve(undefined)),
    choice === "custom" ? `usage custom ${custom.from} ${custom.to}` : `usage ${choice}`,
  );
  const [typed, setTyped] = useState<{ requests: string; gbSecond: string }>();
  const report = usage.data;
  const configured: Prices | undefined = report ? { perMillionRequests: report.Prices.PerMillionRequests, perGbSecond: report.Prices.PerGbSecond } : undefined;
  const text = typed ?? (configured ? { requests: String(configured.perMillionRequests), gbSecond: String(configured.perGbSecond) } : { requests: "", gbSecond: "" });
  const prices: Prices | undefined = configured
    ? { perMillionRequests: parsePrice(text.requests) ?? configured.perMillionRequests, perGbSecond: parsePrice(text.gbSecond) ?? configured.perGbSecond }
    : undefined;
  const table = report && prices ? usageRowsOf(report, prices) : undefined;
  return (
    <section aria-labelledby="usage-title">
      <div class="page-head">
        <h1 id="usage-title">Usage and cost</h1>
        <button type="button" onClick={usage.reload}>
          Refresh
        </button>
      </div>
      <p class="hint">
        Requests as the workers metered them from each REPORT line, in whole UTC hours (Lambda's free tier is not applied). All time counts every request since
        metering began; a period reaches back as far as the cluster keeps hourly usage.
      </p>
      <form class="panel period" aria-label="Usage period" onSubmit={(event) => event.preventDefault()}>
        <label>
          Period
          <select value={choice} onChange={(event) => setChoice(event.currentTarget.value as UsagePeriodChoice)}>
            {USAGE_PERIODS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        {choice === "custom" ? (
          <>
            <label>
              From (UTC)
              <input type="date" value={custom.from} onChange={(event) => setCustom({ ...custom, from: event.currentTarget.value })} />
            </label>
            <label>
              To (UTC, included)
              <input type="date" value={custom.to} onChange={(event) => setCustom({ ...custom, to: event.currentTarget.value })} />
            </label>
          </>
        ) : null}
      </form>
      {!period ? <p class="hint">Choose the first and last day of the range.</p> : null}
      {report?.Period ? (
        <p class="period-shown">
          From {report.Period.Start.replace("T", " ").replace(":00.000Z", " UTC")} to {report.Period.End.replace("T", " ").replace(":00.000Z", " UTC")}
        </p>
      ) : null}
      {usage.error ? <ErrorNotice error={usage.error} /> : null}
      {usage.loading && !report ? <p aria-live="polite">Loading usage…</p> : null}
      {report && configured ? (
        <form class="panel prices" aria-label="Prices" onSubmit={(event) => event.preventDefault()}>
          <label>
            Dollars per million requests
            <input inputMode="decimal" value={text.requests} onInput={(event) => setTyped({ ...text, requests: event.currentTarget.value })} />
          </label>
          <label>
            Dollars per GB-second
            <input inputMode="decimal" value={text.gbSecond} onInput={(event) => setTyped({ ...text, gbSecond: event.currentTarget.value })} />
          </label>
          <button type="button" onClick={() => setTyped(undefined)} disabled={typed === undefined}>
            The cluster's prices
          </button>
        </form>
      ) : null}
      {table && table.rows.length === 0 ? <p class="empty">{report?.Period ? "No function ran in this period." : "No function has run yet."}</p> : null}
      {report?.Daily && prices && report.Daily.length > 1 ? (
        <LineChart
          title="Cost per day"
          timestamps={report.Daily.map((day) => Date.parse(`${day.Date}T00:00:00Z`))}
          series={[{ label: "Cost", values: report.Daily.map((day) => costOf(day, prices)), color: "#1f6fb2" }]}
          unit="$"
          summary={`${formatDollars(costOf(report, prices))} over ${report.Daily.length} days`}
          formatTime={dayLabel}
        />
      ) : null}
      {table && table.rows.length > 0 ? (
        <div class="table-scroll">
          <table aria-label="Usage by function">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col" class="number">Requests</th>
                <th scope="col" class="number">Billed duration (s)</th>
                <th scope="col" class="number">GB-seconds</th>
                <th scope="col" class="number">Cost</th>
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <UsageTableRow key={row.functionName} row={row} link />
              ))}
            </tbody>
            <tfoot>
              <UsageTableRow row={table.total} />
            </tfoot>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function UsageTableRow(props: { row: UsageRow; link?: boolean }) {
  const { row } = props;
  return (
    <tr>
      <th scope="row">{props.link ? <Link href={hrefOf({ page: "function", name: row.functionName, tab: "monitor" })}>{row.functionName}</Link> : row.functionName}</th>
      <td class="number">{number(row.requests)}</td>
      <td class="number">{number(row.billedDurationMs / 1000)}</td>
      <td class="number">{number(row.gbSeconds, 4)}</td>
      <td class="number">{formatDollars(row.cost)}</td>
    </tr>
  );
}
