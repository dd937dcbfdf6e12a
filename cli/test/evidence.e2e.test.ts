// Evidence a third party can check alone (issue 29), on the devnet with the real dApp: three
// devices' readings settle over two settlement periods through the gateway; the owner
// exports one device-day (POST /v1/evidence, as `lcore evidence export` asks it) and
// `lcore verify` checks it against the chain with exit 0; one changed byte at each link
// fails naming that link; a withheld reading is reported incomplete; the bundle checked
// as another application's or another chain's fails; a subset for one party verifies as
// a subset and carries no other reading's plaintext.

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Hex } from "viem";
import { toHex } from "@lcore/protocol/bytes";
import { type EvidenceBundle, evidenceBundleJson, readEvidenceBundle } from "@lcore/protocol/evidenceBundle";
import { type EvidenceChain, viemEvidenceChain } from "@lcore/protocol/evidenceChain";
import { type BrokenLink, verifyEvidence } from "@lcore/protocol/evidenceVerify";
import { SETTLEMENT_PERIOD_SECONDS } from "@lcore/protocol/settlement";
import { OWNER_TOKEN, type TestGateway, auth, testGateway } from "../../gateway/test/helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "../../gateway/test/helpers/stack.js";
import { type Cleanup, runCleanups, tempDir } from "../../gateway/test/helpers/tempDir.js";
import { Secret } from "../../gateway/src/util/secrets.js";
import type { SimDevice } from "../../gateway/src/sim/device.js";

const LCORE = fileURLToPath(new URL("../dist/lcore.js", import.meta.url));
const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
let chain: EvidenceChain;
let devices: SimDevice[];
/** A UTC day entirely in the past: the device-day the readings belong to. */
const DAY = BigInt(Math.floor(Date.now() / 1000 / 86_400) - 1) * 86_400n;

beforeAll(async () => {
  stack = await startTestStack(cleanups, { epochLength: 4, blockTime: 1 });
  gw = await testGateway(cleanups, {
    ...stack.gatewayOptions(5, { maxDelayMs: 100, followMs: 100 }),
    settlement: { tickMs: 200, executorKey: new Secret(stack.key(6)), pollMs: 200 },
  });
  chain = viemEvidenceChain(createPublicClient({ transport: http(stack.devnet.chainRpcUrl) }), {
    inputBox: stack.inputBox,
  });
  devices = [await gw.device(), await gw.device(), await gw.device()];

  // Two settlement periods of block time: device 0 sends seqs 1-3 then 4-6, the others 2 each time.
  const latest = async () =>
    BigInt(((await stack.rpc("eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex }).timestamp);
  const jump = async (s: bigint) => {
    await stack.rpc("evm_increaseTime", [Number(s)]);
    await stack.rpc("evm_mine");
  };
  const now = await latest();
  await jump((now / SETTLEMENT_PERIOD_SECONDS + 1n) * SETTLEMENT_PERIOD_SECONDS + 5n - now);
  let minute = 0;
  const send = async (d: SimDevice, n: number) => {
    const readings = Array.from({ length: n }, () =>
      d.reading({ value: BigInt(20_000 + minute), timestamp: Number(DAY) + 60 * ++minute }),
    );
    const res = await gw.app.inject({ method: "POST", url: "/v1/readings/batch", payload: { readings } });
    expect(res.statusCode).toBe(202);
  };
  const status = (d: SimDevice, seq: number) =>
    gw.app.inject({ method: "GET", url: `/v1/readings/${d.hex}/${seq}` }).then((r) => r.json().status as string);
  const until = (want: string[], last: number[]) =>
    eventually(
      async () => {
        for (const [i, d] of devices.entries()) if (!want.includes(await status(d, last[i]!))) return undefined;
        return true;
      },
      120_000,
      `readings ${want.join("/")}`,
    );
  for (const [i, d] of devices.entries()) await send(d, i === 0 ? 3 : 2);
  await until(["accepted", "settled"], [3, 2, 2]);
  await jump(SETTLEMENT_PERIOD_SECONDS);
  for (const [i, d] of devices.entries()) await send(d, i === 0 ? 3 : 2);
  await until(["accepted", "settled"], [6, 4, 4]);
  await jump(SETTLEMENT_PERIOD_SECONDS);
  await until(["settled"], [6, 4, 4]);
}, 300_000);
afterAll(() => runCleanups(cleanups));

async function exportDay(device: SimDevice, seqs?: string[]) {
  const res = await gw.app.inject({
    method: "POST",
    url: "/v1/evidence",
    headers: auth,
    payload: { devices: [device.hex], from: DAY.toString(), to: (DAY + 86_399n).toString(), ...(seqs ? { seqs } : {}) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { text: res.body, bundle: readEvidenceBundle(res.json()) };
}

function lcore(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [LCORE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c) => (out += String(c)));
  child.stderr.on("data", (c) => (err += String(c)));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out, err })));
}

const verifyArgs = (file: string) => ["verify", file, "--rpc", stack.devnet.chainRpcUrl, "--input-box", stack.inputBox];
const clone = (b: EvidenceBundle) => readEvidenceBundle(JSON.parse(JSON.stringify(evidenceBundleJson(b))));
const flip = (b: Uint8Array, i = b.length - 1) => {
  b[i] = b[i]! ^ 0x01;
};

describe("evidence on the devnet", () => {
  it("exports a device-day that `lcore verify` checks against the chain with exit 0", async () => {
    const anonymous = await gw.app.inject({
      method: "POST",
      url: "/v1/evidence",
      payload: { devices: [devices[0]!.hex], from: DAY.toString(), to: (DAY + 86_399n).toString() },
    });
    expect(anonymous.statusCode).toBe(401); // plaintext: the owner's token only
    // The owner's side: lcore evidence export asks the gateway's route.
    const dir = tempDir(cleanups);
    writeFileSync(`${dir}/owner.token`, `${OWNER_TOKEN}\n`);
    const day = new Date(Number(DAY) * 1000).toISOString().slice(0, 10);
    const file = `${dir}/day.json`;
    const exported = await lcore([
      "evidence",
      "export",
      "--gateway",
      await gw.app.listen({ host: "127.0.0.1", port: 0 }),
      "--device",
      devices[0]!.hex,
      "--from",
      day,
      "--to",
      day,
      "--out",
      file,
      "--owner-token-file",
      `${dir}/owner.token`,
    ]);
    expect(exported.code, exported.err).toBe(0);
    const bundle = readEvidenceBundle(JSON.parse(readFileSync(file, "utf8")));
    expect(bundle.selection).toBe("complete");
    expect(bundle.devices[0]!.readings.map((r) => r.seq)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(bundle.devices[0]!.periods).toHaveLength(2);
    const run = await lcore(verifyArgs(file));
    expect(run.err).toBe("");
    expect(run.code, run.out).toBe(0);
    const lines = run.out.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("ok   0x"))).toHaveLength(6 + 2);
    expect(lines.at(-1)).toMatch(/^VERIFIED: 6 of 6 readings hold on chain 31337/);
    expect(run.out).toContain("sent 3 (seq 1..3, gaps 0, skipped before 0), delivered 3: complete");
  });

  it("fails naming the link when one byte changes at each link", async () => {
    const { bundle } = await exportDay(devices[0]!);
    const cases: [BrokenLink["link"], (b: EvidenceBundle) => void][] = [
      ["plaintext", (b) => flip(b.devices[0]!.readings[1]!.plaintext, 3)],
      ["signature", (b) => flip(b.devices[0]!.readings[1]!.signature, 5)],
      [
        "seq",
        (b) => {
          const r = b.devices[0]!.readings[1]!;
          r.seq ^= 0x100n;
        },
      ],
      ["proof", (b) => flip(b.devices[0]!.readings[1]!.proof[0]!)],
      ["period root", (b) => flip(b.devices[0]!.periods[0]!.recordsRoot)],
      ["device key", (b) => flip(b.devices[0]!.registration.publicKey)],
      ["application", (b) => flip(b.application)],
    ];
    for (const [link, change] of cases) {
      const b = clone(bundle);
      change(b);
      const r = await verifyEvidence(b, chain);
      const first = [...r.problems, ...r.readings.flatMap((v) => (v.broken ? [v.broken] : []))][0];
      expect(r.ok, link).toBe(false);
      expect(first?.link, JSON.stringify(first)).toBe(link);
    }
    // The command line says it too, and exits 1.
    const b = clone(bundle);
    flip(b.devices[0]!.readings[4]!.signature, 5);
    const file = `${tempDir(cleanups)}/tampered.json`;
    writeFileSync(file, JSON.stringify(evidenceBundleJson(b)));
    const run = await lcore(verifyArgs(file));
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /FAIL 0x[0-9a-f]{40} seq 5 period \d+ signature: devices\[0\]\.readings\[4\]\.signature expected 0x/,
    );
    expect(run.out).toContain("NOT VERIFIED: 5 of 6");
  });

  it("reports a withheld reading as missing, and the bundle as incomplete", async () => {
    const { bundle } = await exportDay(devices[0]!);
    const b = clone(bundle);
    b.devices[0]!.readings.splice(4, 1);
    const file = `${tempDir(cleanups)}/withheld.json`;
    writeFileSync(file, JSON.stringify(evidenceBundleJson(b)));
    const run = await lcore(verifyArgs(file));
    expect(run.code).toBe(1);
    expect(run.out).toContain("sent 3 (seq 4..6, gaps 0, skipped before 0), delivered 2: INCOMPLETE 1 missing");
  });

  it("fails a bundle checked as another application's or another chain's", async () => {
    const { text, bundle } = await exportDay(devices[0]!);
    const file = `${tempDir(cleanups)}/day.json`;
    writeFileSync(file, text);
    const other = await lcore([...verifyArgs(file), "--application", toHex(new Uint8Array(20).fill(0x42))]);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/FAIL bundle application: application expected 0x4242/);
    const b = clone(bundle);
    b.chainId = 1n;
    const r = await verifyEvidence(b, chain);
    expect(r.problems[0]).toMatchObject({ link: "chain", expected: "31337", got: "1" });
  });

  it("delivers a chosen subset to one party: it verifies as a subset and holds no other reading's plaintext", async () => {
    const full = await exportDay(devices[0]!);
    const { text, bundle } = await exportDay(devices[0]!, ["2", "5"]);
    expect(bundle.selection).toBe("subset");
    expect(bundle.devices[0]!.readings.map((r) => r.seq)).toEqual([2n, 5n]);
    for (const r of full.bundle.devices[0]!.readings)
      if (r.seq !== 2n && r.seq !== 5n) expect(text).not.toContain(toHex(r.plaintext).slice(2));
    const file = `${tempDir(cleanups)}/subset.json`;
    writeFileSync(file, text);
    expect((await lcore(verifyArgs(file))).code).toBe(1); // 4 committed readings not delivered
    const accepted = await lcore([...verifyArgs(file), "--allow-subset"]);
    expect(accepted.code, accepted.out).toBe(0);
    expect(accepted.out).toContain("VERIFIED: 2 of 2");
    // The other devices' bundles verify too: a several-device fleet settled.
    const r = await verifyEvidence((await exportDay(devices[2]!)).bundle, chain);
    expect(r.ok && r.complete).toBe(true);
    expect(r.periods.map((p) => p.count)).toEqual([2n, 2n]);
  });
});
