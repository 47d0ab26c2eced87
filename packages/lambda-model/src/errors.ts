// The JSON body of each error as the model declares it: Lambda spells the message `Message` for some
// errors (ResourceNotFoundException) and `message` for others (InvalidParameterValueException), and most
// carry `Type`. Errors the model does not declare are the request layer's own (ValidationException,
// AccessDeniedException): a lone `message`.
import { lambdaServiceModel } from "./generated/service-model.js";

export interface ErrorBodyModel {
  /** The HTTP status the model gives the error; undefined for an error it does not declare. */
  httpStatusCode: number | undefined;
  /** The body field holding the message. */
  messageField: "Message" | "message";
  /** Whether the body carries `Type` (User or Service). */
  hasType: boolean;
}

export function errorBodyModel(errorType: string): ErrorBodyModel {
  const model = lambdaServiceModel.shapes[errorType];
  if (model?.exception !== true) return { httpStatusCode: undefined, messageField: "message", hasType: false };
  const members = Object.keys(model.members ?? {});
  return {
    httpStatusCode: model.error?.httpStatusCode,
    messageField: members.includes("Message") ? "Message" : "message",
    hasType: members.includes("Type"),
  };
}
