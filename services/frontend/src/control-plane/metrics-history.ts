// Lambent's GetFunctionMetrics: a function's minutes from the metrics history (@lambent/log-stream), with
// duration percentiles worked out from each minute's buckets, of all its calls or of the calls that named
// an alias or version and ran on a version (CloudWatch's Resource and ExecutedVersion); GetFunctionsMetrics: several functions' at
// once, in one read (the console's list refreshes its shown rows' sparklines so), and a page's for SearchFunctions.
import type { NatsConnection } from "@nats-io/nats-core";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { METRICS_RETENTION_HOURS, durationPercentile, parseSince, readMetricsHistories, readMetricsHistory, type MetricsDimensions, type MinuteMetrics } from "@lambent/log-stream";
import type { GetFunctionMetricsResponse, GetFunctionsMetricsResponse, MetricsPoint } from "@lambent/lambda-api";
import { LATEST, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";

export const DEFAULT_METRICS_SINCE = "1h";
/** GetFunctionsMetrics names at most this many functions (the console's list shows 50 a page). */
export const MAX_METRICS_FUNCTIONS = 100;
const RETENTION_MS = METRICS_RETENTION_HOURS * 3_600_000;

export class FunctionMetrics {
  constructor(
    private readonly nc: NatsConnection,
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A function's minutes: all its calls, or with a qualifier (`name:live`, or `Qualifier`) and/or
   * `ExecutedVersion` only the calls that named that alias or version and ran on that version.
   */
  async get(request: { functionName: string; since?: string | undefined; qualifier?: string | undefined; executedVersion?: string | undefined }): Promise<GetFunctionMetricsResponse> {
    const { functionName, qualifier: named } = parseFunctionReference(request.functionName);
    const given = request.qualifier === "" ? undefined : request.qualifier;
    if (named !== undefined && given !== undefined && named !== given) throw invalidParameter(`The function name's qualifier ${named} and Qualifier ${given} differ`);
    const qualifier = named ?? given;
    const executedVersion = request.executedVersion === "" ? undefined : request.executedVersion;
    if (qualifier !== undefined && !QUALIFIER.test(qualifier)) throw invalidParameter(`Qualifier must be an alias name, a version number or $LATEST, got '${qualifier}'`);
    if (executedVersion !== undefined && !EXECUTED_VERSION.test(executedVersion)) throw invalidParameter(`ExecutedVersion must be a version number or $LATEST, got '${executedVersion}'`);
    const { start, now } = this.range(request.since);
    if (!(await this.functions.get(functionName, LATEST))) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    const dimensions: MetricsDimensions = { ...(qualifier !== undefined ? { qualifier } : {}), ...(executedVersion !== undefined ? { executedVersion } : {}) };
    const minutes = await readMetricsHistory(this.nc, functionName, start, new Date(now), dimensions);
    return { FunctionName: functionName, ...(qualifier !== undefined ? { Qualifier: qualifier } : {}), ...(executedVersion !== undefined ? { ExecutedVersion: executedVersion } : {}), PeriodSeconds: 60, Metrics: minutes.map(toPoint) };
  }

  /**
   * Several functions' minutes (`FunctionNames`, comma-separated), in one read of the history. A name
   * that is no function reads as zeros: checking each would cost a read per name, and the history holds
   * nothing of a function that does not exist.
   */
  async getMany(request: { functionNames: string | undefined; since?: string | undefined }): Promise<GetFunctionsMetricsResponse> {
    const names = [...new Set((request.functionNames ?? "").split(",").filter((name) => name !== ""))].map(unqualified);
    if (names.length === 0 || names.length > MAX_METRICS_FUNCTIONS) throw invalidParameter(`FunctionNames must name 1 to ${MAX_METRICS_FUNCTIONS} functions, comma-separated`);
    const { start, now } = this.range(request.since);
    return this.readMany(names, start, now);
  }

  /**
   * The minutes of the page of functions SearchFunctions answers with `MetricsSince`, so the console's
   * list draws its sparklines with its rows; undefined when the history cannot be read now (the page
   * shows without them, and the console asks GetFunctionsMetrics, which says why).
   */
  async ofPage(functionNames: readonly string[], since: string): Promise<GetFunctionsMetricsResponse | undefined> {
    const { start, now } = this.range(since);
    if (functionNames.length === 0) return { PeriodSeconds: 60, Functions: [] };
    try {
      return await this.readMany(functionNames, start, now);
    } catch {
      // The rows matter more than their sparklines: the console's own call reports the failure.
      return undefined;
    }
  }

  private async readMany(names: readonly string[], start: Date, now: number): Promise<GetFunctionsMetricsResponse> {
    const histories = await readMetricsHistories(this.nc, names, start, new Date(now));
    return { PeriodSeconds: 60, Functions: names.map((name) => ({ FunctionName: name, Metrics: histories.get(name)!.map(toPoint) })) };
  }

  private range(sinceParameter: string | undefined): { start: Date; now: number } {
    const sinceText = sinceParameter === undefined || sinceParameter === "" ? DEFAULT_METRICS_SINCE : sinceParameter;
    const now = this.now();
    const since = parseSince(sinceText, now);
    if (!since || since.getTime() > now) throw invalidParameter(`since must be a duration such as 30m or 6h, or an ISO 8601 time in the past, got '${sinceText}'`);
    // The history keeps only the last hours: an earlier start reads from where it begins.
    return { start: new Date(Math.max(since.getTime(), now - RETENTION_MS)), now };
  }
}

const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const EXECUTED_VERSION = /^(\$LATEST|[1-9][0-9]{0,9})$/;

/** A function's plain name; the console's list reads functions' totals, so a qualifier is refused. */
function unqualified(reference: string): string {
  const { functionName, qualifier } = parseFunctionReference(reference);
  if (qualifier !== undefined) throw invalidParameter("FunctionNames must not carry qualifiers: GetFunctionMetrics reads one alias's or version's calls");
  return functionName;
}

function toPoint(minute: MinuteMetrics): MetricsPoint {
  const percentile = (q: number): number | null => durationPercentile(minute.durationBuckets, q) ?? null;
  return {
    Timestamp: minute.minute,
    Invocations: minute.invocations,
    Errors: minute.errors,
    Throttles: minute.throttles,
    DurationP50: percentile(0.5),
    DurationP90: percentile(0.9),
    DurationP99: percentile(0.99),
    Concurrency: minute.concurrency,
  };
}

/** The API's metrics history, or a ServiceException when this frontend was built without it. */
export function metricsOf(api: { metrics?: FunctionMetrics | undefined }): FunctionMetrics {
  if (!api.metrics) throw new LambdaError("ServiceException", "The metrics history is not available on this frontend");
  return api.metrics;
}
