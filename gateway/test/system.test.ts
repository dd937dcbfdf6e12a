// /healthz, /metrics, /v1/info, /docs, unknown routes, the MVP switch, and the error table.

import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ERRORS } from "../src/http/errors.js";
import { SimDevice } from "../src/sim/device.js";
import { testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

describe("system routes", () => {
  it("GET /v1/info gives what a device needs to register", async () => {
    const gw = await testGateway(cleanups);
    expect(gw.info).toMatchObject({
      app: gw.options.app.toLowerCase(),
      chainId: "31337",
      inputBox: null,
      limits: { payloadBytes: 1024, batchReadings: 256 },
      mvpCompat: true,
    });
    expect(gw.info.owner.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it("GET /healthz and the Prometheus metrics", async () => {
    const gw = await testGateway(cleanups);
    const health = await gw.app.inject({ method: "GET", url: "/healthz" });
    expect(health.json()).toMatchObject({
      status: "ok",
      outboxQueued: 0,
      devices: 0,
      signatureBackend: "libsecp256k1",
    });
    const d = await gw.device();
    await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: { ...SimDevice.random().reading(), device: d.hex },
    });
    const metrics = await gw.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('lcore_gw_readings_rejected_total{code="LCORE_GW_SIGNATURE_INVALID"} 1');
    for (const name of [
      "lcore_gw_outbox_queued_readings",
      "lcore_gw_batch_records",
      "lcore_gw_submit_latency_seconds",
      "lcore_gw_gas_used_total",
    ]) {
      expect(metrics.body).toContain(name);
    }
  });

  it("serves the OpenAPI document at /docs, built from the route schemas", async () => {
    const gw = await testGateway(cleanups);
    const ui = await gw.app.inject({ method: "GET", url: "/docs/" });
    expect(ui.statusCode).toBe(200);
    const spec = (await gw.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(spec.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/readings",
      "/v1/readings/batch",
      "/v1/readings/{device}/{seq}",
      "/v1/devices",
      "/v1/devices/{device}",
      "/v1/devices/{device}/records",
      "/device/register",
      "/device/data",
    ]) {
      expect(spec.paths[path], path).toBeDefined();
    }
    expect(spec.paths["/v1/readings"].post.requestBody.content["application/json"].schema.required).toContain(
      "signature",
    );
  });

  it("unknown routes answer 404 with a stable code", async () => {
    const gw = await testGateway(cleanups);
    const res = await gw.app.inject({ method: "GET", url: "/v2/nothing?token=x" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_ROUTE_NOT_FOUND", message: "no route GET /v2/nothing" });
  });

  it("the MVP routes are off unless the operator turns them on, and on they warn at start-up", async () => {
    const warnings: string[] = [];
    const logger = { level: "warn", stream: { write: (line: string) => void warnings.push(line) } };
    const off = await testGateway(cleanups, { mvpCompat: undefined, logger });
    expect(off.info).toMatchObject({ mvpCompat: false });
    expect(warnings).toEqual([]);
    const res = await off.app.inject({ method: "POST", url: "/device/data", payload: { device_id: "a", data: 1 } });
    expect(res.json().code).toBe("LCORE_GW_MVP_COMPAT_DISABLED");
    await testGateway(cleanups, { mvpCompat: true, logger });
    expect(warnings.join("")).toContain("MVP compatibility routes are ON");
  });

  it("the operator can turn the MVP routes off", async () => {
    const gw = await testGateway(cleanups, { mvpCompat: false });
    for (const [url, payload] of [
      ["/device/register", { device_id: "a", public_key: "k" }],
      ["/device/data", { device_id: "a", data: 1 }],
    ] as const) {
      const res = await gw.app.inject({ method: "POST", url, payload });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("LCORE_GW_MVP_COMPAT_DISABLED");
    }
    expect(gw.app.gateway.registry.size).toBe(0);
  });

  it("every error code is documented in gateway/README.md with its status", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    }
  });
});
