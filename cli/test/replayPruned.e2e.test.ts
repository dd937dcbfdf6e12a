// lcore replay across pruning, end to end: the lcore dApp on the devnet with block time
// pushed an hour per batch (evm_increaseTime), so each batch settles the period before and
// the oldest settled periods are pruned (PROTOCOL §11); then `replay` rebuilds the state
// from the InputBox through a fresh dApp and agrees with every output, claim and notice
// state hash, while the running dApp answers "pruned" for the first records.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hex, createPublicClient, createWalletClient, defineChain, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterDeployLcore } from "@lcore/contracts";
import { ANVIL_MNEMONIC, type Devnet, inputBoxAbi, startDevnet } from "@lcore/devnet";
import { PRUNE_KEEP_SETTLED_PERIODS } from "@lcore/protocol/bounds";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { encodeSettlementTick } from "@lcore/protocol/settlement";
import { lcoreReplay as replay } from "../src/replay/lcoreReplay.js";
import { builtMain, record, sign, testDevice } from "./helpers/lcore.js";

const BATCHES = PRUNE_KEEP_SETTLED_PERIODS + 4;
const dev = testDevice("replay-prune");
let devnet: Devnet;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lcore-replay-prune-"));
  devnet = await startDevnet({
    stateDir: dir,
    epochLength: 4,
    blockTime: 0.5,
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    dapp: [process.execPath, builtMain()],
    pollIntervalMs: 50,
    log: (m) => logs.push(m),
    afterDeploy: afterDeployLcore,
  });
  const chain = defineChain({
    id: 31337,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [devnet.chainRpcUrl] } },
  });
  const pub = createPublicClient({ chain, transport: http(devnet.chainRpcUrl), pollingInterval: 50 });
  const wallet = createWalletClient({
    chain,
    transport: http(devnet.chainRpcUrl),
    account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 }),
    pollingInterval: 50,
  });
  const send = async (payload: Uint8Array) => {
    const hash = await wallet.writeContract({
      address: devnet.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [devnet.application, toHex(payload)],
    });
    await pub.waitForTransactionReceipt({ hash });
  };
  const anHourLater = () =>
    fetch(devnet.chainRpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_increaseTime", params: [3600] }),
    });
  const proof = sign(
    dev.secretKey,
    registrationProofDigest(31337n, fromHex(devnet.application), fromHex(wallet.account.address)),
  );
  await send(
    encodeDeviceRegistration({
      publicKey: dev.publicKey,
      proof,
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    }),
  );
  const now = BigInt(Math.floor(Date.now() / 1000));
  for (let i = 0n; i < BigInt(BATCHES); i++) {
    await anHourLater();
    await send(encodeRecordBatch([record(dev, 2n * i + 1n, now + i), record(dev, 2n * i + 2n, now + i)]));
  }
  await anHourLater();
  await send(encodeSettlementTick());
  const inputs = BATCHES + 2;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await fetch(devnet.jsonRpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "cartesi_listEpochs",
        params: { application: devnet.application, limit: 1000 },
      }),
    });
    const list = ((await res.json()) as { result: { data: { status: string; input_index_upper_bound: string }[] } })
      .result.data;
    if (
      list.length > 0 &&
      parseInt(list.at(-1)!.input_index_upper_bound, 16) === inputs &&
      list.every((e) => e.status === "CLAIM_ACCEPTED")
    )
      break;
    if (Date.now() > deadline)
      throw new Error(`inputs not all claimed; devnet log tail:\n${logs.slice(-20).join("\n")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 180_000);

afterAll(async () => {
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function inspect(path: string): Promise<{ status: string; body: any }> {
  const res = await fetch(devnet.inspectUrl, { method: "POST", body: new TextEncoder().encode(path) });
  const reply = (await res.json()) as { status: string; reports: { payload: Hex }[] };
  return { status: reply.status, body: JSON.parse(new TextDecoder().decode(fromHex(reply.reports[0]!.payload))) };
}

describe("lcore replay across pruning", () => {
  it("the running dApp pruned the first periods; a replay from the chain agrees with every output, claim and state hash", async () => {
    const address = toHex(dev.address);
    expect(await inspect(`record/${address}/1`)).toMatchObject({ status: "Rejected", body: { error: "pruned" } });
    expect((await inspect(`record/${address}/${2 * BATCHES}`)).status).toBe("Accepted");
    expect((await inspect(`device/${address}`)).body).toMatchObject({
      records: String(2 * BATCHES),
      lastSeq: String(2 * BATCHES),
    });

    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: [process.execPath, builtMain()],
      nodeUrl: devnet.jsonRpcUrl,
      progress: () => {},
    });
    expect(report.divergences).toEqual([]);
    expect(report.inputs).toBe(BATCHES + 2);
    expect(report.records).toBe(2 * BATCHES);
    expect(report.claimsChecked).toBeGreaterThanOrEqual(1);
    // Every notice: one registration, one per batch, one per settled period.
    expect(report.stateHashesChecked).toBe(1 + BATCHES + BATCHES);
  }, 120_000);
});
