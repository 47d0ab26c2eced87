// The caller: a checkout that asks the `quote` function for the price (a synchronous call, answered with
// the callee's result) and then has it write an audit line (an `Event`: queued, answered 202 at once).
import { invoke, type InvokeError, type InvokeOutput } from "lambent:functions";

interface Order {
  orderId: string;
  items: { sku: string; qty: number; price: number }[];
}

interface Quote {
  total: number;
  currency: string;
  pricedBy: string;
}

/** What the callee sees as `context.clientContext`. */
const clientContext = { custom: { caller: "checkout" } };

export const handler = async (order: Order) => {
  let priced: InvokeOutput;
  try {
    priced = await invoke("quote", { items: order.items }, { clientContext });
  } catch (error) {
    // The platform refused the call: an unknown function, throttled by its concurrency, a recursive loop.
    const refused = error as InvokeError;
    return { ok: false, refused: refused.name, reason: refused.Reason ?? refused.message };
  }
  const answer = JSON.parse(priced.Payload.transformToString());
  if (priced.FunctionError) return { ok: false, error: answer.errorMessage };
  const quote = answer as Quote;
  const audit = await invoke("quote", { audit: { orderId: order.orderId, total: quote.total } }, { invocationType: "Event", clientContext });
  return { ok: true, orderId: order.orderId, ...quote, auditQueued: audit.StatusCode === 202 };
};
