// A KV trigger's handler: DynamoDB Streams records for puts and deletes in a KV bucket, images turned
// back into plain values.
const plain = (attribute) => {
  const [type, value] = Object.entries(attribute)[0];
  switch (type) {
    case "N":
      return Number(value);
    case "NULL":
      return null;
    case "L":
      return value.map(plain);
    case "M":
      return unmarshall(value);
    default:
      return value;
  }
};
const unmarshall = (image) => (image === undefined ? undefined : Object.fromEntries(Object.entries(image).map(([name, attribute]) => [name, plain(attribute)])));

export const handler = async (event) => {
  const changes = event.Records.map(({ eventName, dynamodb }) => ({
    event: eventName,
    key: dynamodb.Keys.key.S,
    revision: Number(dynamodb.SequenceNumber),
    before: unmarshall(dynamodb.OldImage),
    after: unmarshall(dynamodb.NewImage),
  }));
  for (const change of changes) console.log(JSON.stringify(change));
  return changes;
};
