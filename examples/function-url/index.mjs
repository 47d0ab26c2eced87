// A function URL handler: greets by query string, echoes a JSON body, and answers a tiny binary image.
const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

export const handler = async (event) => {
  const method = event.requestContext.http.method;
  if (event.rawPath === "/pixel.png") {
    return { statusCode: 200, headers: { "content-type": "image/png" }, body: PIXEL, isBase64Encoded: true };
  }
  if (method === "POST") {
    // A JSON body arrives as text; a binary one would arrive base64 with isBase64Encoded: true.
    if (event.isBase64Encoded) return { statusCode: 415, body: "send JSON" };
    const text = event.body ?? "";
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ received: JSON.parse(text || "null") }) };
  }
  const name = event.queryStringParameters?.name ?? "world";
  return { greeting: `hello, ${name}`, path: event.rawPath, cookies: event.cookies ?? [] };
};
