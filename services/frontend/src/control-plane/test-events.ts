// Lambent's saved test events (ListTestEvents, PutTestEvent, DeleteTestEvent): a function's events for the
// console's test panel, kept in NATS (@lambent/registry's TestEventStore) so every browser sees them.
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import type { ListTestEventsResponse, TestEvent } from "@lambent/lambda-api";
import {
  LATEST,
  MAX_TEST_EVENTS,
  MAX_TEST_EVENT_BYTES,
  TEST_EVENT_NAME,
  functionArn,
  lambdaTimestamp,
  parseFunctionReference,
  type ArnScope,
  type FunctionStore,
  type TestEventRecord,
  type TestEventStore,
} from "@lambent/registry/functions";

export class TestEventOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    private readonly store: TestEventStore,
  ) {}

  async list(reference: string): Promise<ListTestEventsResponse> {
    const functionName = await this.existing(reference);
    return { TestEvents: (await this.store.list(functionName)).map(toTestEvent) };
  }

  async put(reference: string, name: string, body: unknown): Promise<TestEvent> {
    const functionName = await this.existing(reference);
    if (!TEST_EVENT_NAME.test(name)) throw invalidParameter("The test event's name must be 1 to 25 letters, digits, hyphens or underscores");
    const event = typeof body === "object" && body !== null ? (body as { Event?: unknown }).Event : undefined;
    if (typeof event !== "string") throw invalidParameter("Event must be the event's JSON text");
    if (new TextEncoder().encode(event).length > MAX_TEST_EVENT_BYTES) throw invalidParameter(`Event must be at most ${MAX_TEST_EVENT_BYTES} bytes`);
    try {
      JSON.parse(event);
    } catch {
      throw invalidParameter("Event must be valid JSON");
    }
    if (!(await this.store.exists(functionName, name)) && (await this.store.list(functionName)).length >= MAX_TEST_EVENTS) {
      throw new LambdaError("ResourceConflictException", `A function keeps at most ${MAX_TEST_EVENTS} test events; delete one first`);
    }
    const record: TestEventRecord = { name, event, lastModified: lambdaTimestamp(new Date()) };
    await this.store.put(functionName, record);
    return toTestEvent(record);
  }

  async delete(reference: string, name: string): Promise<void> {
    const functionName = await this.existing(reference);
    if (!(await this.store.delete(functionName, name))) throw resourceNotFound(`Test event not found: ${name}`);
  }

  private async existing(reference: string): Promise<string> {
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier: test events belong to the function");
    if (!(await this.functions.get(functionName, LATEST))) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    return functionName;
  }
}

function toTestEvent(record: TestEventRecord): TestEvent {
  return { Name: record.name, Event: record.event, LastModified: record.lastModified };
}

/** The API's test events, or a ServiceException when this frontend was built without them. */
export function testEventsOf(api: { testEvents?: TestEventOperations | undefined }): TestEventOperations {
  if (!api.testEvents) throw new LambdaError("ServiceException", "Saved test events are not available on this frontend");
  return api.testEvents;
}
