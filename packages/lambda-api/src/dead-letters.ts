// Lambent's dead letters: what a function's dead-letter queue holds, and sending them back to the function.

export interface DeadLetter {
  /** The message's sequence in the stream that keeps the queue: the handle a redrive names. */
  Sequence: number;
  /** When it was stored, ISO 8601. */
  Time: string;
  RequestId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
  /** The event's payload as text, as the function was given it. */
  Payload: string;
}

export interface ListDeadLettersResponse {
  /** The function's `DeadLetterConfig.TargetArn`; absent when it has none. */
  TargetArn?: string;
  /** The JetStream stream that keeps the queue's subject; absent for a topic (nothing is kept) or without a stream. */
  Stream?: string;
  /** The newest first. */
  DeadLetters: DeadLetter[];
}

export interface RedriveDeadLettersResponse {
  /** The request ids of the events stored again, one per dead letter sent back. */
  RequestIds: string[];
}
