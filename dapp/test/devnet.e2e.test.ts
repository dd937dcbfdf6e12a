// End to end on the devnet (anvil, the Cartesi v2 contracts, the host-mode node): devices
// registered through the InputBox (by their owner, and by permit through a relayer), batches
// built with the shared codec — bad records included — the accepted records found in
// notices over GraphQL and read back over inspect.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { ANVIL_MNEMONIC, type Devnet, inputBoxAbi, startDevnet } from "@lcore/devnet";
import { type LcoreDeployment, afterDeployLcore } from "@lcore/contracts";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { type Notice, decodeNotice } from "@lcore/protocol/notices";
import { PERMIT_TYPES, PERMIT_DOMAIN_NAME, PERMIT_DOMAIN_VERSION } from "@lcore/protocol/permit";
import { type WireRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { gqlAt, noticePayload } from "./devnetClient.js";
import { record, sign, testDevice } from "./helpers.js";
import { builtMain } from "./process.js";

let devnet: Devnet<LcoreDeployment>;
let dir: string;
let wallet: (i: number) => WalletClient<Transport, Chain, Account>;
let publicClient: ReturnType<typeof createPublicClient>;
const logs: string[] = [];

const a = testDevice("e2e-a");
const b = testDevice("e2e-b");
const stranger = testDevice("e2e-stranger");
let batch: WireRecord[];

async function send(from: number, payload: Uint8Array): Promise<void> {
  const hash = await wallet(from).writeContract({
    address: devnet.inputBox,
    abi: inputBoxAbi,
    functionName: "addInput",
    args: [devnet.application, toHex(payload)],
  });
  await publicClient.waitForTransactionReceipt({ hash });
}

const gql = <T = any>(query: string): Promise<T> => gqlAt<T>(devnet.graphqlUrl, query);

async function inspect(path: string): Promise<{ status: string; body: any }> {
  const res = await fetch(devnet.inspectUrl, { method: "POST", body: new TextEncoder().encode(path) });
  const reply = (await res.json()) as { status: string; reports: { payload: Hex }[] };
  return { status: reply.status, body: JSON.parse(new TextDecoder().decode(fromHex(reply.reports[0]!.payload))) };
}

/** rollups-graphql may hand back the whole Notice(bytes) call; the devnet gives the payload. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lcore-dapp-e2e-"));
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
  publicClient = createPublicClient({ chain, transport: http(devnet.chainRpcUrl), pollingInterval: 50 });
  wallet = (i) =>
    createWalletClient({
      chain,
      transport: http(devnet.chainRpcUrl),
      account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }),
      pollingInterval: 50,
    });

  const owner = wallet(1).account;
  const ownerAddress = fromHex(owner.address);
  const app = fromHex(devnet.application);
  const proof = (d: typeof a) => sign(d.secretKey, registrationProofDigest(31337n, app, ownerAddress));

  // 0: device a, registered by its owner directly.
  await send(
    1,
    encodeDeviceRegistration({
      publicKey: a.publicKey,
      proof: proof(a),
      metadata: new TextEncoder().encode('{"unit":"mC"}'),
      auth: { kind: "sender" },
    }),
  );
  // 1: device b, registered by the gateway (account 2) with the owner's EIP-712 permit.
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const signature = await owner.signTypedData!({
    domain: {
      name: PERMIT_DOMAIN_NAME,
      version: PERMIT_DOMAIN_VERSION,
      chainId: 31337,
      verifyingContract: devnet.application,
    },
    types: PERMIT_TYPES,
    primaryType: "RegisterDevice",
    message: { device: toHex(b.address), metadata: "0x", deadline },
  });
  await send(
    2,
    encodeDeviceRegistration({
      publicKey: b.publicKey,
      proof: proof(b),
      metadata: new Uint8Array(0),
      auth: { kind: "permit", deadline, signature: fromHex(signature) },
    }),
  );
  // 2: the owner allows the gateway to submit its devices' records (PROTOCOL §3.6).
  await send(1, encodeSubmitterGrant({ allowed: true, submitter: fromHex(wallet(2).account.address) }));
  // 3: a batch with three good records and three bad ones.
  const now = BigInt(Math.floor(Date.now() / 1000));
  batch = [
    record(a, 1n, now - 30n, 12),
    record(a, 1n, now - 30n, 12), //                   replay
    record(stranger, 1n, now - 20n), //                unknown device
    record(b, 1n, now - 20n, 100),
    { ...record(b, 2n, now - 10n), signature: record(a, 2n, now - 10n).signature }, // not b's signature
    record(a, 2n, now - 10n, 40),
  ];
  await send(2, encodeRecordBatch(batch));
  // 4: nothing valid in it: rejected, leaving no trace.
  await send(2, encodeRecordBatch([record(a, 2n, now)]));
  // 5: good records from an account the owner did not allow: rejected, the seqs unspent.
  await send(3, encodeRecordBatch([record(a, 3n, now), record(b, 2n, now)]));

  for (;;) {
    const g = await gql<{ inputs: { edges: { node: { status: string } }[] } }>(
      "{ inputs { edges { node { status } } } }",
    );
    if (g.inputs.edges.length === 6 && g.inputs.edges.every((e) => e.node.status !== "UNPROCESSED")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dApp on the devnet", () => {
  it("accepts the registrations and the batch, rejects the batch with nothing valid", async () => {
    const g = await gql("{ inputs { edges { node { index status } } } }");
    expect(g.inputs.edges.map((e: any) => e.node.status)).toEqual([
      "ACCEPTED",
      "ACCEPTED",
      "ACCEPTED",
      "ACCEPTED",
      "REJECTED",
      "REJECTED",
    ]);
  });

  it("publishes the accepted records in a notice found over GraphQL, with the state hash", async () => {
    const g = await gql("{ notices { edges { node { index payload input { index } } } } }");
    const notices: { input: number; notice: Notice }[] = g.notices.edges.map((e: any) => ({
      input: e.node.input.index,
      notice: decodeNotice(noticePayload(e.node.payload)),
    }));
    expect(notices.map((n) => [n.input, n.notice.kind])).toEqual([
      [0, "device_registered"],
      [1, "device_registered"],
      [2, "submitter"],
      [3, "records_accepted"],
    ]);
    const regB = notices[1]!.notice;
    expect(regB.kind === "device_registered" && toHex(regB.owner)).toBe(wallet(1).account.address.toLowerCase());

    const accepted = notices[3]!.notice;
    if (accepted.kind !== "records_accepted") throw new Error("expected the batch notice");
    const good = [batch[0]!, batch[3]!, batch[5]!];
    expect(accepted.records.map((r) => [toHex(r.device), r.seq, toHex(r.recordHash)])).toEqual(
      good.map((r) => [toHex(r.device), r.seq, toHex(recordHash(r))]),
    );
    // The rejected input left the state where the batch put it.
    expect((await inspect("state-hash")).body.stateHash).toBe(toHex(accepted.stateHash));
  });

  it("reports the skipped records and the rejection", async () => {
    const g = await gql("{ reports { edges { node { payload input { index } } } } }");
    const reports = g.reports.edges.map((e: any) => ({
      input: e.node.input.index,
      body: JSON.parse(new TextDecoder().decode(fromHex(e.node.payload))),
    }));
    expect(reports.find((r: any) => r.input === 3).body.records.map((s: any) => [s.index, s.reason])).toEqual([
      [1, "seq_not_increasing"],
      [2, "unknown_device"],
      [4, "bad_signature"],
    ]);
    expect(reports.filter((r: any) => r.input === 4).map((r: any) => r.body.reason ?? r.body.type)).toEqual([
      "skipped",
      "no_record_accepted",
    ]);
    const stranger = reports.filter((r: any) => r.input === 5).map((r: any) => r.body);
    expect(stranger[0].records.map((s: any) => s.reason)).toEqual(["submitter_not_allowed", "submitter_not_allowed"]);
    expect(stranger[1]).toMatchObject({ type: "rejected", reason: "no_record_accepted" });
  });

  it("reads the records back over inspect, byte for byte", async () => {
    const one = await inspect(`record/${toHex(a.address)}/2`);
    expect(one.status).toBe("Accepted");
    expect(one.body).toMatchObject({
      seq: "2",
      sealed: toHex(batch[5]!.sealed),
      signature: toHex(batch[5]!.signature),
      recordHash: toHex(recordHash(batch[5]!)),
      inputIndex: "3",
    });
    const page = await inspect(`records/${toHex(a.address)}?by=seq&limit=1`);
    expect(page.body.records.map((r: any) => r.seq)).toEqual(["1"]);
    const next = await inspect(`records/${toHex(a.address)}?by=seq&limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body).toMatchObject({ records: [{ seq: "2" }], nextCursor: null });
    expect((await inspect(`device/${toHex(b.address)}`)).body).toMatchObject({
      status: "active",
      lastSeq: "1",
      records: "1",
    });
    expect((await inspect("counters")).body).toMatchObject({
      devices: "2",
      records: "3",
      batches: "1",
      skippedRecords: "3",
      lastInputIndex: "3",
    });
    expect((await inspect("nonsense")).status).toBe("Rejected");
  });
});
