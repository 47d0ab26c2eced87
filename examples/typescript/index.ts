// A TypeScript handler, compiled at deploy: no build step, no `dist/` to ship.
import type { Context } from "aws-lambda";
import { greet, type Greeting } from "./lib/greet";

interface GreetEvent {
  name?: string;
}

export const handler = async (event: GreetEvent, context: Context): Promise<Greeting> =>
  greet(event.name ?? "world", context.awsRequestId);
