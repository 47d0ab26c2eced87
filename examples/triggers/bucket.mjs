// A bucket trigger's handler: S3 notification records for puts and deletes in an Object Store bucket.
export const handler = async (event) => {
  const changes = event.Records.map((record) => {
    // Keys arrive URL-encoded as S3 sends them: spaces as '+', other characters as %XX.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    return { event: record.eventName, bucket: record.s3.bucket.name, key, size: record.s3.object.size, sha256: record.s3.object.eTag };
  });
  for (const change of changes) console.log(JSON.stringify(change));
  return changes;
};
