// Lambent's saved test events: a function's events kept server-side for its test panel, as Lambda's
// console keeps shareable test events.

export interface TestEvent {
  Name: string;
  /** The event as JSON text. */
  Event: string;
  LastModified: string;
}

export interface ListTestEventsResponse {
  TestEvents: TestEvent[];
}
