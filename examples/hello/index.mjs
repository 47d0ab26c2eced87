// The smallest Lambent function: `npx lambent deploy examples/hello --name hello`.
export const handler = async (event, context) => {
  console.log("greeting", event.name ?? "world");
  return {
    message: `hello ${event.name ?? "world"}`,
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
