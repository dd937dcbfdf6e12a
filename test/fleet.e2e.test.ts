// A fleet of two applications end to end (issue 31): the devnet runs two applications of the
// lcore dApp (one process each) with one LcoreSettlement per application and the LcoreFleet
// registry; one fleet gateway registers each device in the shard the rule gives it, routes its
// readings there and settles each shard on its own; every reading's proof verifies on chain
// through its shard's LcoreSettlement (and through LcoreFleet for that shard only); suspending
// one shard's dApp holds back only that shard's readings, none lost once it resumes; and
// `lcore replay --fleet` finds both shards equal to the chain and the node.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Address, type Hex, createPublicClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterDeployLcore, type LcoreDeployment, lcoreFleetAbi, lcoreSettlementAbi } from "@lcore/contracts";
import { ANVIL_MNEMONIC, type Devnet, startDevnet } from "@lcore/devnet";
import {
  type FleetApp,
  type GatewayOptions,
  Secret,
  SimDevice,
  buildFleetApp,
  shardForNewDevice,
} from "@lcore/gateway";
import { SETTLEMENT_PERIOD_SECONDS } from "@lcore/protocol/settlement";
import { runReplayCli } from "../cli/src/replay/command.js";
import { fleetReplay } from "../cli/src/replay/fleetReplay.js";

const DAPP_MAIN = fileURLToPath(new URL("../dapp/dist/main.js", import.meta.url));
const TOKEN = "fleet-test-owner-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
const DEVICES = 6;

let dir: string;
let devnet: Devnet<LcoreDeployment>;
let fleet: FleetApp;
let client: ReturnType<typeof createPublicClient>;
const devices: { device: SimDevice; shard: number }[] = [];

/** Anvil's dev account n's key (the node signs with 9). */
function key(n: number): Hex {
  const hd = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: n }).getHdKey().privateKey!;
  return `0x${Buffer.from(hd).toString("hex")}`;
}

async function chain(method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(devnet.chainRpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

async function latestTimestamp(): Promise<bigint> {
  return BigInt(((await chain("eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex }).timestamp);
}

async function jump(seconds: bigint): Promise<void> {
  await chain("evm_increaseTime", [Number(seconds)]);
  await chain("evm_mine");
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const status = async (d: SimDevice, seq: bigint) =>
  (await fleet.inject({ method: "GET", url: `/v1/readings/${d.hex}/${seq}` })).json() as {
    status: string;
    period?: string;
  };

async function send(d: SimDevice, count: number): Promise<bigint[]> {
  const readings = Array.from({ length: count }, (_, i) => d.reading({ value: BigInt(i + 1) }));
  const res = await fleet.inject({ method: "POST", url: "/v1/readings/batch", payload: { readings } });
  expect(res.statusCode).toBe(202);
  return readings.map((r) => BigInt(r.seq));
}

async function allReach(target: string, list: { device: SimDevice; seqs: bigint[] }[]): Promise<void> {
  for (const { device, seqs } of list)
    for (const seq of seqs)
      await eventually(`${device.hex}/${seq} ${target}`, async () =>
        (await status(device, seq)).status === target ? true : undefined,
      );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lcore-fleet-"));
  devnet = await startDevnet({
    stateDir: join(dir, "devnet"),
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    epochLength: 4,
    blockTime: 1,
    applications: 2,
    dapp: [process.execPath, DAPP_MAIN],
    log: () => {},
    afterDeploy: afterDeployLcore,
  });
  client = createPublicClient({ transport: http(devnet.chainRpcUrl) });
  const ownerKey = new Uint8Array(randomBytes(32));
  const shards: GatewayOptions[] = devnet.applications.map((app, i) => ({
    outboxPath: join(dir, `shard-${i}`, "outbox.db"),
    ownerKey: new Secret(ownerKey),
    ownerToken: new Secret(TOKEN),
    // Each shard its own submitter (its own nonces) and executor.
    submitterKey: new Secret(key(1 + i)),
    app: app.application,
    chainId: BigInt(devnet.deployment.chainId),
    chain: { rpcUrl: devnet.chainRpcUrl, inputBox: devnet.inputBox, pollMs: 100 },
    batcher: { maxDelayMs: 200 },
    follower: { kind: "jsonrpc", url: devnet.jsonRpcUrl, pollMs: 200 },
    settlement: { tickMs: 200, executorKey: new Secret(key(5 + i)), pollMs: 200 },
  }));
  const { mkdirSync } = await import("node:fs");
  for (let i = 0; i < shards.length; i++) mkdirSync(join(dir, `shard-${i}`), { recursive: true });
  fleet = await buildFleetApp({ shards, registry: devnet.deployment.lcore.fleet!.registry, claimPollMs: 200 });
  await fleet.ready();
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a fleet of two applications", () => {
  it("deploys one LcoreSettlement per application and lists both in LcoreFleet", async () => {
    const { registry, shards } = devnet.deployment.lcore.fleet!;
    expect(shards.map((s) => s.application)).toEqual(devnet.applications.map((a) => a.application));
    expect(shards[0]!.settlement).toBe(devnet.deployment.lcore.settlement);
    for (const [i, s] of shards.entries()) {
      const held = await client.readContract({
        address: registry,
        abi: lcoreFleetAbi,
        functionName: "shard",
        args: [BigInt(i)],
      });
      expect(held).toEqual(s);
      const trusted = await client.readContract({
        address: s.settlement,
        abi: lcoreSettlementAbi,
        functionName: "application",
      });
      expect(trusted).toBe(s.application);
    }
  });

  it("registers each device in the shard the rule gives it", async () => {
    for (let k = 0; devices.length < DEVICES || new Set(devices.map((d) => d.shard)).size < 2; k++) {
      const device = SimDevice.fromSeed("fleet-e2e", k);
      const shard = shardForNewDevice(device.address, 2);
      const info = (await fleet.inject({ method: "GET", url: `/v1/info?device=${device.hex}` })).json();
      expect(info.shard).toBe(shard);
      expect(info.app).toBe(devnet.applications[shard]!.application.toLowerCase());
      const res = await fleet.inject({
        method: "POST",
        url: "/v1/devices",
        headers: auth,
        payload: device.registration(info),
      });
      expect(res.statusCode).toBe(201);
      devices.push({ device, shard });
    }
    for (const { device, shard } of devices) {
      expect(fleet.fleet.shards[shard]!.gateway.registry.get(device.hex)).toBeDefined();
      expect(fleet.fleet.shards[1 - shard]!.gateway.registry.get(device.hex)).toBeUndefined();
    }
    expect(new Set(devices.map((d) => d.shard))).toEqual(new Set([0, 1]));
  });

  it("refuses a batch that mixes shards, storing nothing", async () => {
    const a = devices.find((d) => d.shard === 0)!.device;
    const b = devices.find((d) => d.shard === 1)!.device;
    const readings = [a.reading({ seq: 1000n }), b.reading({ seq: 1000n })];
    const res = await fleet.inject({ method: "POST", url: "/v1/readings/batch", payload: { readings } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("LCORE_GW_FLEET_MIXED_BATCH");
    a.seq = 0n;
    b.seq = 0n;
  });

  it("accepts every device's readings in its shard; a suspended shard holds back only its own", async () => {
    // Start at the beginning of a fresh period, so the readings below share one period.
    const now = await latestTimestamp();
    await jump((now / SETTLEMENT_PERIOD_SECONDS + 1n) * SETTLEMENT_PERIOD_SECONDS + 5n - now);
    const first = await Promise.all(devices.map(async ({ device }) => ({ device, seqs: await send(device, 2) })));
    await allReach("accepted", first);

    const stalled = devnet.applications[1]!;
    stalled.suspendDapp();
    let held: { device: SimDevice; seqs: bigint[] }[];
    try {
      const second = await Promise.all(devices.map(async ({ device }) => ({ device, seqs: await send(device, 1) })));
      const inShard = (s: number) => second.filter((r) => devices.find((d) => d.device === r.device)!.shard === s);
      await allReach("accepted", inShard(0));
      held = inShard(1);
      for (const { device, seqs } of held) expect((await status(device, seqs[0]!)).status).not.toBe("accepted");
      const panel = (await fleet.inject({ method: "GET", url: "/v1/fleet" })).json();
      expect(panel.shards.map((s: { application: string }) => s.application)).toEqual(
        devnet.applications.map((a) => a.application.toLowerCase()),
      );
    } finally {
      stalled.resumeDapp();
    }
    await allReach("accepted", held);
  });

  it("settles each shard, and every reading's proof verifies through its shard only", async () => {
    await jump(SETTLEMENT_PERIOD_SECONDS);
    const { registry } = devnet.deployment.lcore.fleet!;
    for (const { device, shard } of devices) {
      for (const seq of [1n, 2n, 3n])
        await eventually(`${device.hex}/${seq} settled`, async () =>
          (await status(device, seq)).status === "settled" ? true : undefined,
        );
      const res = await fleet.inject({ method: "GET", url: `/v1/readings/${device.hex}/1/proof` });
      expect(res.statusCode).toBe(200);
      const p = res.json() as {
        period: string;
        recordHash: Hex;
        index: number;
        proof: Hex[];
        settlementAddress: Address;
        verifiedOnChain: boolean;
      };
      expect(p.verifiedOnChain).toBe(true);
      expect(p.settlementAddress.toLowerCase()).toBe(
        devnet.deployment.lcore.fleet!.shards[shard]!.settlement.toLowerCase(),
      );
      const verify = (s: number) =>
        client.readContract({
          address: registry,
          abi: lcoreFleetAbi,
          functionName: "verifyRecord",
          args: [BigInt(s), BigInt(p.period), p.recordHash, BigInt(p.index), p.proof],
        });
      expect(await verify(shard)).toBe(true);
      expect(await verify(1 - shard)).toBe(false);
    }
    const metrics = (await fleet.inject({ method: "GET", url: "/metrics" })).body;
    for (const shard of [0, 1]) {
      expect(metrics).toMatch(new RegExp(`lcore_gw_readings_accepted_total\\{shard="${shard}"\\} [1-9]`));
      expect(metrics).toMatch(new RegExp(`lcore_gw_fleet_shard_readings_accepted\\{shard="${shard}",[^}]*\\} [1-9]`));
    }
    expect(metrics.match(/^# TYPE lcore_gw_readings_accepted_total /gm)).toHaveLength(1);
  });

  it("lcore replay --fleet replays both shards with zero divergences", async () => {
    const reports = await fleetReplay({
      rpcUrl: devnet.chainRpcUrl,
      registry: devnet.deployment.lcore.fleet!.registry,
      dapp: [process.execPath, DAPP_MAIN],
      nodeUrl: devnet.jsonRpcUrl,
      progress: () => {},
      parallel: 2,
    });
    expect(reports.map((r) => r.application)).toEqual(devnet.applications.map((a) => a.application));
    for (const { shard, report } of reports) {
      expect(report.divergences).toEqual([]);
      const readings = devices.filter((d) => d.shard === shard).length * 3;
      expect(report.records).toBe(readings);
      expect(report.claimsChecked).toBeGreaterThan(0);
      expect(report.stateHashesChecked).toBeGreaterThan(0);
    }
  });

  it("lcore replay --fleet prints a report per shard and exits 0", async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    let code: number;
    try {
      code = await runReplayCli([
        "--rpc",
        devnet.chainRpcUrl,
        "--fleet",
        devnet.deployment.lcore.fleet!.registry,
        "--dapp",
        `${process.execPath} ${DAPP_MAIN}`,
        "--parallel",
        "2",
      ]);
    } finally {
      process.stdout.write = write;
    }
    const lines = out.join("").trim().split("\n");
    expect(code).toBe(0);
    for (const [i, app] of devnet.applications.entries())
      expect(lines.some((l) => l.startsWith(`shard ${i} ${app.application}: ok:`))).toBe(true);
    expect(lines.at(-1)).toBe("fleet ok: 2 shards, 0 diverged");
  });
});
