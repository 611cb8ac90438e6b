import type { Server } from 'node:http';

/** Against slow clients: a request must arrive whole within 30 s, its headers within 10 s; idle keep-alive 5 s. */
export function applyServerTimeouts(server: Server): void {
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
}
