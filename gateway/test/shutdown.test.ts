// Graceful shutdown of the lcore-gateway process: SIGTERM under load answers what is in
// flight, exits 0, and every reading it answered 202 is on disk; nothing half-written.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "../src/outbox/outbox.js";
import { type GatewayInfo, SimDevice } from "../src/sim/device.js";
import { startGatewayProcess } from "./helpers/process.js";
import { type Cleanup, runCleanups, tempDir } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

describe("lcore-gateway process", () => {
  it("on SIGTERM finishes the readings in flight, exits 0, and every 202 is on disk", async () => {
    const dir = tempDir(cleanups);
    const token = "shutdown-test-owner-token-01";
    const gw = await startGatewayProcess({
      LCORE_GW_PORT: "0",
      LCORE_GW_DATA_DIR: dir,
      LCORE_GW_OWNER_KEY: randomBytes(32).toString("hex"),
      LCORE_GW_OWNER_TOKEN: token,
      LCORE_GW_SUBMITTER_KEY: randomBytes(32).toString("hex"),
      LCORE_GW_APP: `0x${randomBytes(20).toString("hex")}`,
      LCORE_GW_CHAIN_ID: "31337",
      LCORE_GW_LOG_LEVEL: "warn",
    });
    cleanups.push(() => gw.stop());
    const info = (await (await fetch(`${gw.url}/v1/info`)).json()) as GatewayInfo;
    const devices = Array.from({ length: 20 }, () => SimDevice.random());
    for (const d of devices) {
      const res = await fetch(`${gw.url}/v1/devices`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(d.registration(info)),
      });
      expect(res.status).toBe(201);
    }
    const accepted: string[] = [];
    const answers: number[] = [];
    // Each device streams readings back to back; SIGTERM lands in the middle.
    const streams = devices.map(async (d) => {
      for (let i = 0; i < 200; i++) {
        const r = d.reading();
        try {
          const res = await fetch(`${gw.url}/v1/readings`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(r),
          });
          answers.push(res.status);
          await res.arrayBuffer();
          if (res.status === 202) accepted.push(`${r.device}/${r.seq}`);
          else break;
        } catch {
          break; // the server has closed: this reading was never answered
        }
      }
    });
    await new Promise((r) => setTimeout(r, 400));
    gw.child.kill("SIGTERM");
    await Promise.all(streams);
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(accepted.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 202 || s === 503)).toBe(true);

    const outbox = new Outbox({ path: `${dir}/outbox.db`, groupCommitDelayMs: 0, groupCommitReadings: 10 });
    try {
      for (const key of accepted) {
        const [device, seq] = key.split("/") as [string, string];
        expect(outbox.readings.get(Buffer.from(device.slice(2), "hex"), BigInt(seq)), key).toBeDefined();
      }
    } finally {
      await outbox.close();
    }
  });
});
