// Calls an HTTP service with fetch; the worker's egress policy decides which hosts it may reach.
export const handler = async (event) => {
  const url = event.url ?? "https://example.com/";
  const response = await fetch(url);
  const body = await response.text();
  return { url, status: response.status, contentType: response.headers.get("content-type"), bytes: body.length };
};
