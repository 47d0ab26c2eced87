// The order workflow's steps, one handler each (deployed as separate functions with --handler).
// Each takes what the state machine passes and returns what the next state needs; failures throw
// errors whose name the state machine's Retry and Catch match.

class NamedError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

/** Checks the order and prices it: InvalidOrder when it cannot be taken. */
export const validate = async (order) => {
  if (!order.orderId) throw new NamedError("InvalidOrder", "an order needs an orderId");
  if (!Array.isArray(order.items) || order.items.length === 0) throw new NamedError("InvalidOrder", "an order needs at least one item");
  for (const item of order.items) {
    if (!item.sku || !(item.qty > 0) || !(item.price >= 0)) throw new NamedError("InvalidOrder", `bad item ${JSON.stringify(item)}`);
  }
  const total = order.items.reduce((sum, item) => sum + item.qty * item.price, 0);
  return { total: Math.round(total * 100) / 100, currency: order.currency ?? "EUR" };
};

/** Reserves one line's stock. A sku starting with "gone-" is out of stock; "busy-" is busy on its first try. */
const attempts = new Map();
export const reserve = async ({ sku, qty }) => {
  if (sku.startsWith("gone-")) throw new NamedError("OutOfStock", `${sku} is out of stock`);
  if (sku.startsWith("busy-")) {
    const seen = (attempts.get(sku) ?? 0) + 1;
    attempts.set(sku, seen);
    if (seen === 1) throw new NamedError("StockBusy", `${sku} is being counted; try again`);
  }
  return { sku, qty, reservation: `r-${sku}-${qty}` };
};

/** Charges the card: PaymentDeclined for the card "declined". */
export const charge = async ({ orderId, total, currency, card }) => {
  if (card === "declined") throw new NamedError("PaymentDeclined", `card declined for order ${orderId}`);
  return { paymentId: `p-${orderId}`, amount: total, currency };
};

/** Books the shipment; an order without an address is picked up. */
export const ship = async ({ order }) => ({ trackingId: `t-${order.orderId}`, carrier: "UQS", to: order.address ?? "pickup" });

/** Sends the customer a message (here: returns it). */
export const notify = async ({ orderId, message }) => ({ sent: true, orderId, message });

/**
 * Asks a person to approve a large order: it receives the task token and would hand it to a queue or a
 * UI; the approver answers with `lambent workflow task-success <token> --output '{"approved":true}'`.
 */
export const requestApproval = async ({ orderId, total, token }) => ({ queued: true, orderId, total, tokenLength: token.length });
