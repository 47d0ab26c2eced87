// How a function's asynchronous invocation is configured: its EventInvokeConfig for the qualifier, with
// Lambda's defaults where it sets nothing, and the version's dead-letter target.
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS, type FunctionVersionRecord, type RegistryView } from "@lambent/registry/functions";
import type { EventSettings } from "./event-runner.js";

export async function readEventSettings(view: Pick<RegistryView, "eventInvokeConfig">, record: FunctionVersionRecord, qualifier: string): Promise<EventSettings> {
  const configured = await view.eventInvokeConfig(record.functionName, qualifier);
  const settings: EventSettings = {
    maximumRetryAttempts: configured?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumEventAgeInSeconds: configured?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  };
  if (configured?.onSuccess) settings.onSuccess = configured.onSuccess;
  if (configured?.onFailure) settings.onFailure = configured.onFailure;
  if (record.deadLetterTargetArn) settings.deadLetterTargetArn = record.deadLetterTargetArn;
  return settings;
}
