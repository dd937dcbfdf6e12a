// The node:http plumbing both devnet servers share: bounded body reads, listen, close.

import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A request body went over its bound; nothing more of it is kept. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
  }
}

/** Read a whole request body, refusing it as soon as it passes `limit` bytes (declared or sent). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? "0") > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * Idle keep-alive connections live this long. Node's 5 s default races clients that reuse an
 * idle connection just as the server drops it (the client sees "other side closed").
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Listen on host:port (0 = a free port); resolves with the server's base URL. */
export async function listen(server: Server, host: string, port: number): Promise<string> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
}

/** Stop accepting connections and drop the open ones (keep-alive clients would hold close() forever). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
