// Front-running a signed record on the devnet (PROTOCOL §3.6). Why this test exists:
// a device signs its reading's digest (device, seq, timestamp, bodyHash, PROTOCOL §1),
// not the sealed bytes the gateway wraps around the body (§2). Anyone who sees a signed
// record before it is mined (the gateway's transaction in the mempool, a mirror, a log)
// can post a copy with garbage `sealed` bytes through InputBox.addInput from another
// account. Without a submitter binding the dApp accepts that copy — its signature is the
// device's — so the device's seq is spent on bytes nobody can open: the gateway's real
// record is then skipped `seq_not_increasing`, and the day's disclosure fails
// (`bad_period_key`, the copy does not open with the period key). The fix: a record is
// accepted only when the input's msg_sender is the device's owner or an account the
// owner allowed (input 0x05, PROTOCOL §3.6); the gateway is the owner on chain,
// so it needs no grant.
//
// Here the attack is really ordered first on chain: the gateway's Cartesi path is paused
// (POST /v1/cartesi/pause) while the device's readings wait in its outbox, the attacker
// copies the first signed reading with random sealed bytes of the same (valid) length
// and sends it from another anvil account, and only once that input is mined is the
// gateway resumed. Expected: the copy's input is rejected (`submitter_not_allowed` in its
// "skipped" report, `no_record_accepted` in its "rejected" report); every reading the
// gateway sent is accepted, then settled; and the day's disclosure aggregates exactly
// the values the device sent.

import { DISCLOSURE_PERIOD_SECONDS, MIN_SEALED_LENGTH } from "@lcore/protocol/bounds";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeReadingBody } from "@lcore/protocol/deviceMessage";
import { decodeNotice } from "@lcore/protocol/notices";
import { encodeRecordBatch, type WireRecord } from "@lcore/protocol/recordBatch";
import { SETTLEMENT_PERIOD_SECONDS } from "@lcore/protocol/settlement";
import { inputBoxAbi } from "@lcore/contracts";
import { sha256 } from "@lcore/wasm-core";
import { randomBytes } from "node:crypto";
import { type Hex, createPublicClient, createWalletClient, defineChain, http, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonRpcNodeReader, type NodeInput } from "../src/chain/nodeReader.js";
import { Secret } from "../src/util/secrets.js";
import type { SignedReading } from "../src/sim/device.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
/** Two whole days before today: over on the gateway's clock, so it may be disclosed. */
const P = Math.floor(Date.now() / 1000 / DAY) - 2;
const VALUES = [12n, -7n, 30n, 5n];
/** Anvil accounts (stack.key): the gateway's submitter (the devices' owner on chain), its voucher executor, the attacker. */
const SUBMITTER = 2;
const EXECUTOR = 6;
const ATTACKER = 7;

const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
let reader: JsonRpcNodeReader;
afterAll(() => runCleanups(cleanups));

beforeAll(async () => {
  stack = await startTestStack(cleanups, { epochLength: 4, blockTime: 1 });
  gw = await testGateway(cleanups, {
    ...stack.gatewayOptions(SUBMITTER, { pollMs: 50, maxDelayMs: 100, followMs: 100 }),
    settlement: { tickMs: 200, executorKey: new Secret(stack.key(EXECUTOR)), pollMs: 200 },
  });
  await gw.app.ready();
  reader = new JsonRpcNodeReader(stack.devnet.jsonRpcUrl, stack.app);
});

const json = (url: string, headers = {}) => gw.app.inject({ method: "GET", url, headers }).then((r) => r.json());
const cartesi = (action: "pause" | "resume") =>
  gw.app.inject({ method: "POST", url: `/v1/cartesi/${action}`, headers: auth }).then((r) => r.json());

/** The wire record of a signed reading, as the gateway would build it, but with `sealed` of the caller's choosing. */
function recordOf(r: SignedReading, sealed: Uint8Array): WireRecord {
  const body = encodeReadingBody({ nonce: fromHex(r.nonce), value: BigInt(r.value), payload: fromHex(r.payload) });
  return {
    device: fromHex(r.device),
    seq: BigInt(r.seq),
    timestamp: BigInt(r.timestamp),
    bodyHash: sha256(body),
    signature: fromHex(r.signature),
    sealed,
  };
}

/** A node input's reports, parsed (JSON, PROTOCOL §4.2). */
function reportsOf(node: NodeInput): { type?: string; reason?: string; records?: unknown[] }[] {
  return node.reports.map((r) => {
    try {
      return JSON.parse(Buffer.from(r.payload.slice(2), "hex").toString("utf8"));
    } catch {
      return {};
    }
  });
}

/** What the dApp said about an input: status, the "skipped" report's records, the "rejected" report's reason. */
function verdictOf(node: NodeInput) {
  const reports = reportsOf(node);
  return {
    status: node.status,
    skipped: reports.find((b) => b.type === "skipped")?.records ?? [],
    rejected: reports.find((b) => b.type === "rejected")?.reason,
  };
}

async function latestTimestamp(): Promise<bigint> {
  const block = (await stack.rpc("eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex };
  return BigInt(block.timestamp);
}

describe("front-running a signed record", () => {
  it("a copy with other sealed bytes, sent first from another account, is rejected; the gateway's record is accepted, settled and its day disclosed", async () => {
    // Start near the beginning of a settlement period, so that everything below up to the
    // jump lands in one period whatever the wall clock says.
    const now = await latestTimestamp();
    await stack.rpc("evm_increaseTime", [
      Number((now / SETTLEMENT_PERIOD_SECONDS + 1n) * SETTLEMENT_PERIOD_SECONDS + 5n - now),
    ]);
    await stack.rpc("evm_mine");

    const d = await gw.device();
    await eventually(
      async () => ((await json(`/v1/devices/${d.hex}`, auth)).registration.status === "accepted" ? true : undefined),
      30_000,
      "registration accepted",
    );

    // The gateway holds the readings: accepted into its outbox, nothing packed or sent.
    expect(await cartesi("pause")).toMatchObject({ paused: true, unincludedInputs: 0 });
    const readings = VALUES.map((value, i) => d.reading({ value, timestamp: P * DAY + 600 * i }));
    for (const r of readings) {
      const res = await gw.app.inject({ method: "POST", url: "/v1/readings", payload: r });
      expect(res.statusCode, res.body).toBe(202);
    }
    expect(await json(`/v1/readings/${d.hex}/1`)).toMatchObject({ status: "queued" });

    // The attacker: the first signed reading, random sealed bytes of the real length, from another account.
    const victim = readings[0]!;
    const sealedLength =
      encodeReadingBody({ nonce: fromHex(victim.nonce), value: 0n, payload: fromHex(victim.payload) }).length + 32;
    expect(sealedLength).toBeGreaterThanOrEqual(MIN_SEALED_LENGTH);
    const copy = encodeRecordBatch([recordOf(victim, new Uint8Array(randomBytes(sealedLength)))]);
    const account = privateKeyToAccount(stack.key(ATTACKER));
    const chain = defineChain({
      id: Number(stack.chainId),
      name: "devnet",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [stack.devnet.chainRpcUrl] } },
    });
    const wallet = createWalletClient({ account, chain, transport: http(stack.devnet.chainRpcUrl) });
    const client = createPublicClient({ chain, transport: http(stack.devnet.chainRpcUrl) });
    const tx = await wallet.writeContract({
      address: stack.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [stack.app, toHex(copy) as Hex],
    });
    const receipt = await client.waitForTransactionReceipt({ hash: tx });
    const [added] = parseEventLogs({ abi: inputBoxAbi, logs: receipt.logs, eventName: "InputAdded" });
    const attackIndex = Number(added!.args.index);

    // Only now does the gateway send its batch: the copy is ordered first on chain.
    expect(await cartesi("resume")).toMatchObject({ paused: false });
    const attack = await eventually(
      async () => {
        const n = await reader.input(attackIndex);
        return n === null || n.status === "NONE" ? undefined : n;
      },
      30_000,
      "the copy's verdict",
    );
    const verdicts = await eventually(
      async () => {
        const all = await Promise.all(readings.map((r) => json(`/v1/readings/${d.hex}/${r.seq}`)));
        return all.every((s) => s.status === "accepted" || s.status === "rejected") ? all : undefined;
      },
      30_000,
      "the gateway's verdicts",
    );
    for (const v of verdicts) expect(v.inputIndex).toBeGreaterThan(attackIndex);
    const sender = (await stack.inputs()).find((i) => i.index === attackIndex)!.sender;
    expect(sender.toLowerCase()).toBe(account.address.toLowerCase());

    // (a) and (b) at once, so that a failure shows both sides of the attack.
    expect({
      attacker: verdictOf(attack),
      gateway: verdicts.map((v: { seq: string; status: string; reason?: string }) => ({
        seq: v.seq,
        status: v.status,
        reason: v.reason,
      })),
    }).toEqual({
      attacker: {
        status: "REJECTED",
        skipped: [{ index: 0, device: d.hex, seq: "1", reason: "submitter_not_allowed" }],
        rejected: "no_record_accepted",
      },
      gateway: readings.map((r) => ({ seq: r.seq, status: "accepted", reason: undefined })),
    });
    expect(attack.notices).toEqual([]);

    // (b) A settlement period later the gateway's readings are settled.
    await stack.rpc("evm_increaseTime", [Number(SETTLEMENT_PERIOD_SECONDS)]);
    await stack.rpc("evm_mine");
    for (const r of readings) {
      await eventually(
        async () => ((await json(`/v1/readings/${d.hex}/${r.seq}`)).status === "settled" ? true : undefined),
        45_000,
        `reading ${r.seq} settled`,
      );
    }

    // (c) The day's disclosure aggregates exactly what the device sent.
    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/disclosures",
      headers: auth,
      payload: { device: d.hex, period: P },
    });
    expect(res.statusCode, res.body).toBe(202);
    const done = await eventually(
      async () => {
        const s = await json(res.json().statusUrl, auth);
        return s.status === "accepted" || s.status === "rejected" ? s : undefined;
      },
      30_000,
      "disclosure verdict",
    );
    const sum = VALUES.reduce((a, b) => a + b, 0n);
    const min = VALUES.reduce((a, b) => (b < a ? b : a));
    const max = VALUES.reduce((a, b) => (b > a ? b : a));
    expect(done).toMatchObject({
      status: "accepted",
      device: d.hex,
      period: P,
      aggregate: { count: String(VALUES.length), sum: sum.toString(), min: min.toString(), max: max.toString() },
    });
    // The node's own 0x91 notice says the same (the gateway only relays it).
    const node = (await reader.input(done.inputIndex))!;
    expect(node.status).toBe("ACCEPTED");
    expect(node.notices.map((n) => n.index)).toEqual([done.noticeIndex]);
    expect(decodeNotice(fromHex(node.notices[0]!.payload))).toMatchObject({
      kind: "key_disclosed",
      device: d.address,
      period: P,
      count: BigInt(VALUES.length),
      sum,
      min,
      max,
    });
  }, 90_000);
});
