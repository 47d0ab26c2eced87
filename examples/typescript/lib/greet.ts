// Types are erased at deploy; only the code reaches the isolate.
export interface Greeting {
  message: string;
  requestId: string;
}

export function greet(name: string, requestId: string): Greeting {
  return { message: `hello ${name}`, requestId };
}
