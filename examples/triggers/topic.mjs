// A topic trigger's handler: one SNS notification per NATS message, with the subject, body and headers.
export const handler = async (event) => {
  const { Sns } = event.Records[0];
  const attributes = Object.fromEntries(Object.entries(Sns.MessageAttributes).map(([name, attribute]) => [name, attribute.Value]));
  let body = Sns.Message;
  try {
    body = JSON.parse(Sns.Message);
  } catch {
    // Not JSON: keep the text.
  }
  console.log(`message ${Sns.MessageId} on ${Sns.Subject}`, JSON.stringify({ body, attributes }));
  return { subject: Sns.Subject, body };
};
