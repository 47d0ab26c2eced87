// A schedule trigger's handler: EventBridge's "Scheduled Event", or the trigger's --input in its place.
export const handler = async (event, context) => {
  if (event["detail-type"] === "Scheduled Event") {
    console.log(`tick ${event.time} from ${event.resources[0]} (request ${context.awsRequestId})`);
    return { tick: event.time };
  }
  console.log("constant input", JSON.stringify(event));
  return { input: event };
};
