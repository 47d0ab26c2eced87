// The callee: prices an order. Called synchronously by the checkout function, and asynchronously with
// `{ audit }` to write an audit line after the fact. An order without items fails (the caller sees
// `FunctionError: "Unhandled"` with this error as the payload).
export const handler = async (event, context) => {
  if (event.audit) {
    console.log(`audit: order ${event.audit.orderId} priced at ${event.audit.total} (called from ${context.clientContext?.custom?.caller ?? "outside"})`);
    return null;
  }
  if (!Array.isArray(event.items) || event.items.length === 0) throw new Error("an order needs at least one item");
  const total = event.items.reduce((sum, item) => sum + item.qty * item.price, 0);
  return { total: Math.round(total * 100) / 100, currency: "EUR", pricedBy: context.functionVersion };
};
