// What a client meets before any route runs: Fastify's router errors and Node's HTTP
// parser errors answer with the gateway's error body and a stable code (never an FST_
// code, never the raw path echoed), and every answer carries the browser security headers.
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../src/http/securityHeaders.js";
import { testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a real socket (inject bypasses Node's parser and Fastify's URL checks). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function listening(): Promise<number> {
  const gw = await testGateway(cleanups);
  await gw.app.listen({ host: "127.0.0.1", port: 0 });
  return (gw.app.server.address() as AddressInfo).port;
}

describe("errors raised before a route", () => {
  it("a path parameter over 100 characters: 414 LCORE_GW_PARAM_TOO_LONG, the path not echoed", async () => {
    const port = await listening();
    const long = `0x${"ab".repeat(60)}`;
    const res = await get(port, `/v1/readings/${long}/1`);
    expect(res.status).toBe(414);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 414, code: "LCORE_GW_PARAM_TOO_LONG" });
    expect(res.body).not.toContain(long);
    expect(res.body).not.toContain("FST_");
  });

  it("bad percent-encoding: 400 LCORE_GW_BAD_URL", async () => {
    const port = await listening();
    const res = await get(port, "/v1/readings/%E0%A4%A/1");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: "LCORE_GW_BAD_URL" });
    expect(res.body).not.toContain("FST_");
  });

  it("headers over Node's bound: 431 LCORE_GW_HEADERS_TOO_LARGE", async () => {
    const port = await listening();
    const res = await get(port, "/v1/info", { "x-padding": "a".repeat(20_000) });
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 431, code: "LCORE_GW_HEADERS_TOO_LARGE" });
  });
});

describe("security headers", () => {
  it("the console and the API carry CSP, X-Frame-Options and X-Content-Type-Options; the docs keep their own CSP", async () => {
    const port = await listening();
    for (const path of ["/", "/v1/info", "/v1/nothing"]) {
      const res = await get(port, path);
      expect(res.headers["content-security-policy"], path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers["x-frame-options"], path).toBe("DENY");
      expect(res.headers["x-content-type-options"], path).toBe("nosniff");
    }
    const docs = await get(port, "/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers["content-security-policy"]).toBeDefined();
    expect(docs.headers["content-security-policy"]).not.toBe(CONTENT_SECURITY_POLICY);
  });
});
