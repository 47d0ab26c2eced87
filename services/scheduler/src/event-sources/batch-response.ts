// A partial batch response (FunctionResponseTypes: ["ReportBatchItemFailures"]), read as Lambda reads it:
// `{"batchItemFailures": [{"itemIdentifier": "<id>"}, …]}` names the records that failed (message ids
// for queues, sequence numbers for streams). No answer, `null`, an answer without the list, or an empty
// list mean the whole batch succeeded; a list Lambda cannot use (not a list, an entry without a known
// identifier) means the whole batch failed.

export type ItemFailures =
  | { kind: "none" }
  | { kind: "all"; reason: string }
  /** The identifiers that failed, each one of the batch's, without repeats. */
  | { kind: "some"; identifiers: string[] };

const decoder = new TextDecoder();

export function parseBatchItemFailures(payload: Uint8Array, known: ReadonlySet<string>): ItemFailures {
  let answer: unknown;
  try {
    answer = payload.length === 0 ? null : JSON.parse(decoder.decode(payload));
  } catch {
    return { kind: "all", reason: "the function's answer is not JSON" };
  }
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return { kind: "none" };
  const failures = (answer as Record<string, unknown>)["batchItemFailures"];
  if (failures === undefined || failures === null) return { kind: "none" };
  if (!Array.isArray(failures)) return { kind: "all", reason: "batchItemFailures is not a list" };
  if (failures.length === 0) return { kind: "none" };
  const identifiers = new Set<string>();
  for (const failure of failures) {
    const identifier = typeof failure === "object" && failure !== null ? (failure as Record<string, unknown>)["itemIdentifier"] : undefined;
    if (typeof identifier !== "string" || identifier === "") return { kind: "all", reason: "a batchItemFailures entry has no itemIdentifier" };
    if (!known.has(identifier)) return { kind: "all", reason: `itemIdentifier '${identifier.slice(0, 100)}' is not in the batch` };
    identifiers.add(identifier);
  }
  return { kind: "some", identifiers: [...identifiers] };
}
