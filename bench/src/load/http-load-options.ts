// What one HTTP load run is given: the POST to send, how many connections, and for how long.

export interface HttpLoadOptions {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}
