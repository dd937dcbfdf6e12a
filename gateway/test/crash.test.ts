// Crash test: the gateway process is SIGKILLed at each step of the submit path (a
// failpoint, see src/chain/failpoints.ts), restarted on the same outbox, and then it
// must finish the job. The proof is read from the chain and from the dApp's records:
// every receipt (202) the gateway gave is on chain exactly once and accepted by the
// dApp, and no (device, seq) was ever added twice.

import { randomBytes } from "node:crypto";
import { decodeInput } from "@lcore/protocol/input";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { FAILPOINTS } from "../src/chain/failpoints.js";
import { type GatewayInfo, SimDevice, type SignedReading } from "../src/sim/device.js";
import { type GatewayProcess, startGatewayProcess } from "./helpers/process.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups, tempDir } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(cleanups);
});
afterAll(() => runCleanups(cleanups));

const TOKEN = "crash-test-owner-token-0123";

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Registers `devices` (those a killed run did not get to are registered by the next;
 * 409 means the outbox already has it) and sends `rounds` of readings, or until the
 * gateway dies; returns the receipts (202s).
 */
async function drive(gw: GatewayProcess, devices: SimDevice[], rounds: number): Promise<SignedReading[]> {
  const receipts: SignedReading[] = [];
  let dead = false;
  void gw.exited.then(() => (dead = true));
  try {
    const info = (await (await fetch(`${gw.url}/v1/info`)).json()) as GatewayInfo;
    for (const d of devices) {
      const res = await post(gw.url, "/v1/devices", d.registration(info), { authorization: `Bearer ${TOKEN}` });
      if (res.status !== 201 && res.status !== 409) throw new Error(`registration ${res.status}`);
    }
    for (let i = 0; i < rounds && !dead; i++) {
      const round = devices.map((d) => d.reading({ value: BigInt(i) }));
      if (i % 2 === 0) {
        // Half the rounds as one batch request (all or none)…
        if ((await post(gw.url, "/v1/readings/batch", { readings: round })).status === 202) receipts.push(...round);
      } else {
        // …and half one reading per request.
        for (const r of round) if ((await post(gw.url, "/v1/readings", r)).status === 202) receipts.push(r);
      }
      await new Promise((r) => setTimeout(r, 60));
    }
  } catch (error) {
    // A request cut by the kill is expected (the exit event may trail the reset); anything else is not.
    const died = await Promise.race([
      gw.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
    ]);
    if (!died) throw error;
  }
  return receipts;
}

describe("SIGKILL at each step of the submit path", () => {
  FAILPOINTS.forEach((failpoint, i) => {
    it(`${failpoint}: after a restart every receipt is on chain exactly once and accepted`, async () => {
      const dir = tempDir(cleanups);
      const submitterKey = stack.key(i);
      const env = {
        LCORE_GW_PORT: "0",
        LCORE_GW_DATA_DIR: dir,
        LCORE_GW_OWNER_KEY: randomBytes(32).toString("hex"),
        LCORE_GW_OWNER_TOKEN: TOKEN,
        LCORE_GW_SUBMITTER_KEY: submitterKey,
        LCORE_GW_APP: stack.app,
        LCORE_GW_CHAIN_ID: stack.chainId.toString(),
        LCORE_GW_RPC_URL: stack.devnet.chainRpcUrl,
        LCORE_GW_INPUT_BOX: stack.inputBox,
        LCORE_GW_NODE_URL: stack.devnet.jsonRpcUrl,
        LCORE_GW_BATCH_MAX_DELAY_MS: "150",
        LCORE_GW_POLL_MS: "50",
        LCORE_GW_FOLLOW_POLL_MS: "100",
        LCORE_GW_LOG_LEVEL: "warn",
      };
      const devices = [SimDevice.random(), SimDevice.random(), SimDevice.random()];

      // Run 1: armed. It must die by SIGKILL at the failpoint, not exit any other way.
      const first = await startGatewayProcess({ ...env, LCORE_GW_FAILPOINT: failpoint });
      cleanups.push(() => first.stop());
      const receipts = await drive(first, devices, 12);
      const death = await Promise.race([first.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
      expect(death, `the gateway did not reach ${failpoint}: ${first.stderr()}`).toEqual({
        code: null,
        signal: "SIGKILL",
      });

      // Run 2: the same outbox, disarmed; more readings on top.
      const second = await startGatewayProcess(env);
      cleanups.push(() => second.stop());
      receipts.push(...(await drive(second, devices, 4)));
      expect(receipts.length).toBeGreaterThan(0);

      for (const r of receipts) {
        await eventually(
          async () => {
            const s = (await (await fetch(`${second.url}/v1/readings/${r.device}/${r.seq}`)).json()) as {
              status: string;
              reason?: string;
            };
            if (s.status === "rejected") throw new Error(`${r.device}/${r.seq} rejected: ${s.reason}`);
            return s.status === "accepted" ? true : undefined;
          },
          90_000,
          `${r.device}/${r.seq} accepted`,
        );
      }

      // The chain: every input this gateway added, decoded.
      const sender = privateKeyToAccount(submitterKey).address.toLowerCase();
      const added = (await stack.inputs()).filter((x) => x.sender.toLowerCase() === sender);
      const seen = new Map<string, number>();
      const registered = new Map<string, number>();
      for (const input of added) {
        const decoded = decodeInput(Buffer.from(input.payload.slice(2), "hex"));
        if (decoded.kind === "record_batch") {
          for (const rec of decoded.records) {
            const key = `0x${Buffer.from(rec.device).toString("hex")}/${rec.seq}`;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        } else if (decoded.kind === "device_registration") {
          const key = Buffer.from(decoded.publicKey).toString("hex");
          registered.set(key, (registered.get(key) ?? 0) + 1);
        }
      }
      for (const d of devices)
        expect(registered.get(Buffer.from(d.publicKey).toString("hex")), "registration once").toBe(1);
      for (const r of receipts) expect(seen.get(`${r.device}/${r.seq}`), `${r.device}/${r.seq} once on chain`).toBe(1);
      expect(
        [...seen.values()].every((n) => n === 1),
        "no record added twice",
      ).toBe(true);

      // The dApp's records: each receipt once (inspect lists a device's records by seq).
      for (const d of devices) {
        const res = await fetch(stack.devnet.inspectUrl, { method: "POST", body: `records/${d.hex}?by=seq&limit=100` });
        const report = (await res.json()) as { reports: { payload: string }[] };
        const page = JSON.parse(Buffer.from(report.reports[0]!.payload.slice(2), "hex").toString("utf8")) as {
          records: { seq: string }[];
        };
        const seqs = page.records.map((x) => x.seq);
        expect(new Set(seqs).size, "the dApp holds no duplicate").toBe(seqs.length);
        for (const r of receipts.filter((x) => x.device === d.hex)) expect(seqs).toContain(r.seq);
      }
      await second.stop();
    });
  });
});
