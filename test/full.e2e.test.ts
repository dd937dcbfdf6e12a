// The whole stack, done end to end: started exactly as `npm start` starts it (scripts/stack.mjs)
// on free ports, simulated devices send readings through the gateway, every one is accepted in
// the dApp's notices, a settlement period is settled by a voucher executed on chain (its root
// lands in LcoreSettlement), and `lcore replay` then finds zero divergences against the chain —
// every claim and every notice's state hash checked — while an altered dApp build is caught
// at the first output it changes, as a shadow and as the replayed build.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { lcoreSettlementAbi } from "@lcore/contracts";
import { applicationAbi, decodeOutput } from "@lcore/devnet";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { type Notice, decodeNotice } from "@lcore/protocol/notices";
import { encodeSettlementTick } from "@lcore/protocol/settlement";
import { gqlAt, noticePayload } from "../dapp/test/devnetClient.js";
import { chainClients, rpcResult, waitFor } from "../devnet/test/helpers.js";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, ROOT, startStack } from "../scripts/stack.mjs";

const run = promisify(execFile);
const REPLAY = "cli/dist/lcore.js";
/** An altered dApp build: the real one, except notices of one kind carry a wrong state hash (cli/test/fixtures). */
const altered = (kind: string) =>
  `env LCORE_ALTER_NOTICE=${kind} ${process.execPath} cli/test/fixtures/altered-lcore-dapp.mjs`;

const DAY = 86_400;
const stateDir = mkdtempSync(join(tmpdir(), "lcore-full-"));
const logs: string[] = [];
const logTail = () => `log tail:\n${logs.slice(-20).join("")}`;
let running: { stack: Record<string, string>; stop(): Promise<void> } | undefined;
let stack: {
  chainRpcUrl: string;
  jsonRpcUrl: string;
  graphqlUrl: string;
  gatewayUrl: string;
  application: Address;
  inputBox: Address;
  settlement: Address;
};
let sent = 0;

const gql = <T = any>(query: string): Promise<T> => gqlAt<T>(stack.graphqlUrl, query);

/** Every notice the node serves, decoded, with its input. */
async function notices(): Promise<{ input: number; notice: Notice }[]> {
  const g = await gql("{ notices { edges { node { payload input { index } } } } }");
  return g.notices.edges.map((e: any) => ({
    input: e.node.input.index,
    notice: decodeNotice(noticePayload(e.node.payload)),
  }));
}

/** The node's outputs (cartesi_listOutputs) in global output order, as [output index, input index, notice kind byte or undefined]. */
async function outputKinds(): Promise<[number, number, number | undefined][]> {
  const list = (
    await rpcResult(stack.jsonRpcUrl, "cartesi_listOutputs", { application: stack.application, limit: 1000 })
  ).data as { index: Hex; input_index: Hex; raw_data: Hex }[];
  return list.map((o) => {
    const out = decodeOutput(o.raw_data);
    return [
      parseInt(o.index, 16),
      parseInt(o.input_index, 16),
      out?.type === "Notice" ? fromHex(out.payload)[0] : undefined,
    ];
  });
}

/**
 * Settle the open period as the stack does by itself: jump anvil's clock past the hour and
 * wait. The gateway's tick timer sends the tick (0x10 0x01) once the chain is in a later
 * period, and its voucher executor runs the settlePeriod voucher when the claim of the
 * tick's epoch is accepted; the reading then reports `settled`. Returns the settling input
 * and the voucher's output index, from the node.
 */
async function settleThroughGateway(reading: {
  device: string;
  seq: bigint;
}): Promise<{ tickInput: number; outputIndex: number; status: any }> {
  await rpcResult(stack.chainRpcUrl, "evm_increaseTime", [3600]);
  await rpcResult(stack.chainRpcUrl, "evm_mine", []);
  const status = await waitFor(
    "the gateway to report the reading settled",
    async () => {
      const s = (await (await fetch(`${stack.gatewayUrl}/v1/readings/${reading.device}/${reading.seq}`)).json()) as {
        status: string;
      };
      return s.status === "settled" ? s : undefined;
    },
    90_000,
    200,
    logTail,
  );
  const settling = (await notices()).find((n) => n.notice.kind === "period_settled");
  expect(settling, "the period_settled notice").toBeDefined();
  const g = await gql("{ vouchers { edges { node { input { index } proof { outputIndex } } } } }");
  const v = g.vouchers.edges.map((e: any) => e.node).find((n: any) => n.input.index === settling!.input);
  return { tickInput: settling!.input, outputIndex: Number(v.proof.outputIndex), status };
}

/** `lcore replay` as a validator runs it, from the repository root; exit code and stdout. */
async function replayCli(...extra: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      [REPLAY, "replay", "--rpc", stack.chainRpcUrl, "--application", stack.application, ...extra],
      { cwd: ROOT, timeout: 60_000 },
    );
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; message: string };
    if (typeof err.code !== "number") throw e;
    return { code: err.code, out: err.stdout ?? "" };
  }
}

beforeAll(async () => {
  running = await startStack({
    stateDir,
    apiPort: 0,
    rollupPort: 0,
    anvilPort: 0,
    gatewayPort: 0,
    onLog: (chunk: Buffer) => {
      logs.push(String(chunk));
      if (logs.length > 200) logs.shift();
    },
  });
  stack = running!.stack as unknown as typeof stack;
  const { stdout } = await run(
    process.execPath,
    [
      "gateway/dist/sim/cli.js",
      "--gateway",
      stack.gatewayUrl,
      "--token",
      DEV_SECRETS.ownerToken,
      "--devices",
      "3",
      "--rate",
      "12",
      "--duration",
      "3",
      "--follow",
      "60",
      "--json",
    ],
    { cwd: ROOT, timeout: 90_000 },
  );
  const summary = JSON.parse(stdout);
  expect(summary.accepted).toBe(summary.sent);
  expect(summary.onChain).toEqual({ accepted: summary.sent, rejected: {} });
  sent = summary.sent;
}, 150_000);

afterAll(async () => {
  await running?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the whole stack, end to end", () => {
  it("accepts every simulated reading in the dApp's notices", async () => {
    expect(sent).toBeGreaterThanOrEqual(24);
    const all = await notices();
    expect(all.filter((n) => n.notice.kind === "device_registered")).toHaveLength(3);
    const accepted = all.flatMap((n) => (n.notice.kind === "records_accepted" ? n.notice.records : []));
    expect(accepted).toHaveLength(sent);
    expect(new Set(accepted.map((r) => `${toHex(r.device)}/${r.seq}`)).size).toBe(sent);
  });

  it("settles the period through the gateway: the voucher is executed, LcoreSettlement holds the notice's root, a reading's proof verifies", async () => {
    const first = (await notices()).flatMap((n) => (n.notice.kind === "records_accepted" ? n.notice.records : []))[0]!;
    const reading = { device: toHex(first.device), seq: first.seq };
    const { tickInput, outputIndex, status } = await settleThroughGateway(reading);
    const [tickPayload] = (
      await gql(
        `{ inputs(where: { indexGreaterThan: ${tickInput - 1}, indexLowerThan: ${tickInput + 1} }) { edges { node { payload } } } }`,
      )
    ).inputs.edges.map((e: any) => e.node.payload);
    expect(tickPayload).toBe(toHex(encodeSettlementTick())); // the gateway's tick, not a reading, settled it
    const settled = (await notices()).filter((n) => n.notice.kind === "period_settled");
    expect(settled.map((n) => n.input)).toEqual([tickInput]);
    const notice = settled[0]!.notice as Extract<Notice, { kind: "period_settled" }>;
    expect(notice.recordCount).toBe(BigInt(sent));

    const { pub } = chainClients(stack.chainRpcUrl);
    expect(
      await pub.readContract({
        address: stack.application,
        abi: applicationAbi,
        functionName: "wasOutputExecuted",
        args: [BigInt(outputIndex)],
      }),
    ).toBe(true);
    const g = await gql("{ vouchers { edges { node { executed input { index } } } } }");
    expect(
      g.vouchers.edges.filter((e: any) => e.node.input.index === tickInput).map((e: any) => e.node.executed),
    ).toEqual([true]);
    const onChain = (await pub.readContract({
      address: stack.settlement,
      abi: lcoreSettlementAbi,
      functionName: "settlement",
      args: [notice.period],
    })) as { recordsRoot: Hex; recordCount: bigint; stateHash: Hex; devicesRoot: Hex; deviceCount: bigint };
    expect(onChain).toEqual({
      recordsRoot: toHex(notice.recordsRoot),
      recordCount: BigInt(sent),
      stateHash: toHex(notice.stateHash),
      devicesRoot: toHex(notice.devicesRoot),
      deviceCount: notice.deviceCount,
    });
    expect(status).toMatchObject({ status: "settled", period: notice.period.toString() });

    const proof = await (await fetch(`${stack.gatewayUrl}/v1/readings/${reading.device}/${reading.seq}/proof`)).json();
    expect(proof).toMatchObject({ recordsRoot: toHex(notice.recordsRoot), verifiedOnChain: true });
    expect(
      await pub.readContract({
        address: stack.settlement,
        abi: lcoreSettlementAbi,
        functionName: "verifyRecord",
        args: [notice.period, proof.recordHash, BigInt(proof.index), proof.proof],
      }),
    ).toBe(true);
  });

  it("discloses a device's day as the banner's step 6 does: by chain time, its aggregate executed into LcoreSettlement", async () => {
    const owner = { authorization: `Bearer ${DEV_SECRETS.ownerToken}` };
    const first = (await notices()).flatMap((n) => (n.notice.kind === "records_accepted" ? n.notice.records : []))[0]!;
    const device = toHex(first.device);
    const page = await (
      await fetch(`${stack.gatewayUrl}/v1/devices/${device}/records?limit=1000`, { headers: owner })
    ).json();
    const period = Math.floor(Number(page.records[0].timestamp) / DAY);
    const ofDay = page.records.filter((r: { timestamp: string }) => Math.floor(Number(r.timestamp) / DAY) === period);
    const values = ofDay.map((r: { value: string }) => BigInt(r.value));
    const { pub } = chainClients(stack.chainRpcUrl);
    const latest = await pub.getBlock();
    const ahead = (period + 1) * DAY - Number(latest.timestamp) + 60;
    if (ahead > 0) await rpcResult(stack.chainRpcUrl, "evm_increaseTime", [ahead]);
    await rpcResult(stack.chainRpcUrl, "evm_mine", []);
    const asked = await fetch(`${stack.gatewayUrl}/v1/disclosures`, {
      method: "POST",
      headers: { ...owner, "content-type": "application/json" },
      body: JSON.stringify({ device, period, aggregateVoucher: true }),
    });
    expect(asked.status, await asked.clone().text()).toBe(202);
    const { statusUrl } = await asked.json();
    const done = await waitFor(
      "the aggregate voucher executed",
      async () => {
        const body = await (await fetch(`${stack.gatewayUrl}${statusUrl}`, { headers: owner })).json();
        return body.aggregateOnChain?.executed === true ? body : undefined;
      },
      180_000,
    );
    const sum = values.reduce((a: bigint, b: bigint) => a + b, 0n);
    expect(done.aggregate).toMatchObject({ count: String(values.length), sum: sum.toString() });
    const onChain = (await pub.readContract({
      address: stack.settlement,
      abi: lcoreSettlementAbi,
      functionName: "aggregate",
      args: [device, BigInt(period)],
    })) as { count: bigint; sum: bigint };
    expect(onChain).toMatchObject({ count: BigInt(values.length), sum });
  });

  it("lcore replay against the chain: zero divergences, every claim and notice state hash checked", async () => {
    const { code, out } = await replayCli("--node", stack.jsonRpcUrl);
    expect(out).toMatch(/^ok: /);
    expect(code).toBe(0);
    const [, inputs, outputs, claims, stateHashes, nodeOutputs, records] =
      /^ok: (\d+) inputs, (\d+) outputs, (\d+) claims checked, (\d+) state hashes checked, (\d+) node outputs checked, (\d+) records,/
        .exec(out)!
        .map(Number);
    const kinds = await outputKinds();
    expect(outputs).toBe(kinds.length);
    expect(nodeOutputs).toBe(kinds.length);
    expect(inputs).toBe(kinds.at(-1)![1] + 1); // the tick is the last input
    expect(claims).toBeGreaterThan(0);
    expect(stateHashes).toBe(kinds.filter(([, , kind]) => kind !== undefined).length); // every notice: registrations, records, the settlement
    expect(records).toBe(sent);
  });

  it("catches an altered build run with --shadow at its first differing output", async () => {
    const firstRecords = (await outputKinds()).find(([, , kind]) => kind === 0x84)!;
    const { code, out } = await replayCli("--shadow", altered("0x84"));
    expect(code).toBe(1);
    const shadow = out.split("\n").filter((l) => l.startsWith("shadow divergence"));
    expect(shadow[0]).toBe(`shadow divergence at input ${firstRecords[1]}, output ${firstRecords[0]}: output bytes`);
    expect(out).toMatch(/^DIVERGED: .* [1-9]\d* state hashes checked, [1-9]\d* shadow divergences/m);
  });

  it("catches a replayed build whose settlement notice carries the wrong state hash", async () => {
    const settlement = (await outputKinds()).find(([, , kind]) => kind === 0x90)!;
    const { code, out } = await replayCli("--dapp", altered("0x90"));
    expect(code).toBe(1);
    expect(out.split("\n")[0]).toBe(
      `divergence at input ${settlement[1]}, output ${settlement[0]}: state hash in the period_settled notice vs the replayed state before the input`,
    );
  });
});
