// Headers every answer carries, so the console cannot be framed (clickjacking an owner's
// revoke button), a browser never guesses a content type, and the console's page runs
// only its own script, style and WebAssembly: it loads nothing from elsewhere, no inline code.
// The API docs (/docs) set their own policy (swagger-ui's staticCSP), which is kept.

import type { FastifyInstance } from "fastify";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // 'wasm-unsafe-eval': the console decodes outputs with wasm-core's WebAssembly, compiled in the page.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  // http: and https:: the evidence check asks the chain's RPC the user types, not the gateway (a third party trusts no gateway).
  "connect-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (_request, reply) => {
    void reply.header("x-content-type-options", "nosniff");
    void reply.header("x-frame-options", "DENY");
    void reply.header("referrer-policy", "no-referrer");
    if (!reply.hasHeader("content-security-policy"))
      void reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
  });
}
