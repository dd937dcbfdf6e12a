// lcore-sim as a process, against a gateway listening on a free port.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { OWNER_TOKEN, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));
const SIM = fileURLToPath(new URL("../dist/sim/cli.js", import.meta.url));

describe("lcore-sim", () => {
  it("registers a seeded fleet, streams signed readings, and a rerun with the same seed continues its seqs", async () => {
    const gw = await testGateway(cleanups);
    const url = await gw.app.listen({ host: "127.0.0.1", port: 0 });
    const args = [
      SIM,
      "--gateway",
      url,
      "--devices",
      "3",
      "--rate",
      "30",
      "--duration",
      "0.5",
      "--seed",
      "sim-test",
      "--follow",
      "0",
      "--json",
    ];
    const run = async () =>
      JSON.parse(
        (
          await promisify(execFile)(process.execPath, args, {
            env: { ...process.env, LCORE_GW_OWNER_TOKEN: OWNER_TOKEN },
          })
        ).stdout,
      );
    const first = await run();
    expect(first).toMatchObject({ sent: 15, accepted: 15, rejected: {} });
    expect(first.latencyMs.p99).toBeGreaterThan(0);
    const second = await run();
    expect(second).toMatchObject({ sent: 15, accepted: 15, rejected: {} });
    // The last reading it names is the newest one the gateway holds of that device: seq 10 of its 10 (5 per run).
    const last = (await fetch(second.last.statusUrl)).json() as Promise<{
      device: string;
      seq: string;
      status: string;
    }>;
    expect(await last).toMatchObject({ device: second.last.device, seq: second.last.seq, status: "queued" });
    expect(second.last.seq).toBe("10");
    expect(gw.app.gateway.registry.size).toBe(3);
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(30);
  });

  it("says what is missing instead of starting", async () => {
    const out = await promisify(execFile)(process.execPath, [SIM, "--gateway", "http://127.0.0.1:9"], {
      env: { ...process.env, LCORE_GW_OWNER_TOKEN: "" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(out).toMatchObject({ code: 2 });
    expect((out as { stderr: string }).stderr).toMatch(/owner token/);
  });
});
