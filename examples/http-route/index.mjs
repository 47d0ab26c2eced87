// A small orders API behind a route: mounted at /shop/orders for GET and POST, it sees the path beneath
// the prefix in pathParameters.proxy and the matched route in routeKey, as behind API Gateway.
// Orders live in module state, so they last while the environment stays warm: enough for a sample.
const orders = new Map();
let nextId = 1;

const json = (statusCode, value, headers = {}) => ({
  statusCode,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value),
});

export const handler = async (event) => {
  const method = event.requestContext.http.method;
  const id = event.pathParameters?.proxy;
  if (method === "GET" && id === undefined) return json(200, { orders: [...orders.values()], routeKey: event.routeKey });
  if (method === "GET") {
    const order = orders.get(id);
    return order ? json(200, order) : json(404, { message: `no order ${id}` });
  }
  if (method === "POST" && id === undefined) {
    // A JSON body arrives as text; anything else (an image, say) would arrive base64 with isBase64Encoded: true.
    if (event.isBase64Encoded) return json(415, { message: "send JSON" });
    const order = { id: String(nextId++), ...JSON.parse(event.body || "{}") };
    orders.set(order.id, order);
    return json(201, order, { location: `${event.rawPath}/${order.id}` });
  }
  return json(405, { message: `${method} is not served here` });
};
