// A queue consumer for an event source mapping with queue semantics (an SQS-like queue on a NATS
// subject): each batch arrives as an SQS event. Orders without an amount fail alone: the function reports
// them in `batchItemFailures`, so only they come back (after the visibility timeout), and after the
// mapping's MaximumRetryAttempts they go to its dead-letter target, unchanged.
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (typeof order.amount !== "number") {
      console.log(`order ${order.id} has no amount (receive ${record.attributes.ApproximateReceiveCount})`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    console.log(`order ${order.id}: ${order.amount} (tenant ${record.messageAttributes.tenant?.stringValue ?? "none"})`);
  }
  return { batchItemFailures };
};
