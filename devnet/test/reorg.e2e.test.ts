// The node reading at `latest` while the chain changes under it (issue 26): a reorganisation of
// depth 3 that drops input transactions and brings others, an addInput from anyone right
// after it, a reorganisation that drops only a claim, and anvil_rollback. After each, the node
// never halts, serves only the canonical chain's inputs, and ends where a fresh node on the
// same chain ends: the same inputs, outputs, reports and epochs, its claims accepted on chain,
// and a replay from the chain finding no divergence from it.

import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFunctionData, stringToHex } from "viem";
import {
  authorityAbi,
  type Devnet,
  inputBoxAbi,
  replay,
  spawnDapp,
  StateMismatchError,
  startDevnet,
} from "@lcore/devnet";
import {
  acceptedClaims,
  addInput,
  anvil,
  chainClients,
  chainInputs,
  ECHO_DAPP,
  freePort,
  nodeList,
  rpcResult,
  tempDir,
  type TestClients,
  waitFor,
  withoutClock,
  startEchoDevnet,
} from "./helpers.js";

const EPOCH_LENGTH = 4;
let dir: ReturnType<typeof tempDir>;
let devnet: Devnet;
let clients: TestClients;
let failure: Error | undefined;
const logs: string[] = [];

async function start(): Promise<Devnet> {
  const started = await startEchoDevnet(dir.path, (m) => logs.push(m), {
    epochLength: EPOCH_LENGTH,
    blockConfidence: "latest",
  });
  void started.failed.then((err) => (failure = err));
  return started;
}

const list = (method: string) => nodeList(devnet.jsonRpcUrl, method);
const processed = async () =>
  parseInt((await rpcResult(devnet.jsonRpcUrl, "cartesi_getProcessedInputCount", ["app"])).data, 16);
const canonical = () => chainInputs(clients.pub, devnet.inputBox, devnet.application);
const logTail = () => logs.slice(-15).join("\n");

/** The node lists exactly the chain's inputs, all processed. */
async function caughtUp(what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      const [chain, node] = await Promise.all([canonical(), list("cartesi_listInputs")]);
      const same =
        JSON.stringify(node.map((i) => i.decoded_data.payload)) === JSON.stringify(chain.map((i) => i.payload));
      return same && (await processed()) === chain.length;
    },
    60_000,
    100,
    logTail,
  );
}

/** Every epoch the node lists is accepted, and the chain has a ClaimAccepted for each, with its root. */
async function claimsSettled(): Promise<void> {
  await waitFor(
    "every epoch claimed and accepted",
    async () => {
      const epochs = await list("cartesi_listEpochs");
      if (epochs.some((e) => e.status !== "CLAIM_ACCEPTED")) return false;
      const accepted = await acceptedOnChain();
      return epochs.every((e) => accepted.get(parseInt(e.last_block, 16)) === e.outputs_merkle_root);
    },
    60_000,
    100,
    logTail,
  );
}

const acceptedOnChain = () => acceptedClaims(clients.pub, devnet.authority, devnet.application);

const latest = async () => Number(await clients.pub.getBlockNumber());
/** anvil mines a block per transaction and no other (automine replaces the devnet's mixed mining). */
const onlyTransactionsMine = () => anvil(devnet.chainRpcUrl, "evm_setAutomine", [true]);
/** anvil mines a block every second again (transactions wait for it: mixed mining is a start-up option only). */
const blocksEverySecond = () => anvil(devnet.chainRpcUrl, "evm_setIntervalMining", [1]);

beforeAll(async () => {
  dir = tempDir("reorg");
  devnet = await start();
  clients = chainClients(devnet.chainRpcUrl);
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("the node at `latest` on a chain that reorganises", () => {
  it("follows a reorganisation of depth 3 that drops inputs and brings others, and an addInput from anyone after it, as a fresh node would", async () => {
    // Blocks only from transactions (ours and the node's claims), so the reorganisation's depth is ours to choose.
    await onlyTransactionsMine();
    for (let i = 0; i < 6; i++)
      await addInput(clients, 0, devnet.inputBox, devnet.application, stringToHex(`before ${i}`));
    await caughtUp("the first six inputs");
    for (const i of [6, 7])
      await addInput(clients, 0, devnet.inputBox, devnet.application, stringToHex(`dropped ${i}`));
    await caughtUp("the two inputs the reorganisation drops");

    const replacement = (text: string) => ({
      from: clients.wallet(3).account.address,
      to: devnet.inputBox,
      data: encodeFunctionData({
        abi: inputBoxAbi,
        functionName: "addInput",
        args: [devnet.application, stringToHex(text)],
      }),
    });
    await anvil(devnet.chainRpcUrl, "anvil_reorg", [
      3,
      [
        [replacement("replacement a"), 0],
        [replacement("replacement b"), 2],
      ],
    ]);
    const after = (await canonical()).map((i) => i.payload);
    expect(after).not.toContain(stringToHex("dropped 7"));
    expect(after).toContain(stringToHex("replacement b"));
    await caughtUp("the canonical inputs after the reorganisation");
    // The field report's halt: a 2-byte addInput from any account right after a reorganisation.
    await addInput(clients, 5, devnet.inputBox, devnet.application, "0x0102");
    await caughtUp("an input from anyone after the reorganisation");
    await blocksEverySecond();
    await claimsSettled();
    expect(failure).toBeUndefined();
    // Seen as a changed block, or as a lower head (a sync in the middle of anvil_reorg), or as a changed input.
    expect(logs.some((m) => /: rolled back to block \d+ \(inputs from \d+/.test(m))).toBe(true);
    expect(logs.some((m) => /restarted the dApp to take back \d+ processed inputs/.test(m))).toBe(true);

    // The dApp's state is the canonical chain's: it counts the accepted inputs it saw.
    const inspect = await (await fetch(devnet.inspectUrl, { method: "POST", body: "" })).json();
    expect(inspect.reports[1].payload).toBe(`0x${(await canonical()).length.toString(16).padStart(64, "0")}`);

    // A replay from the chain agrees with the node's outputs and the accepted claims.
    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: [process.execPath, ECHO_DAPP],
      nodeUrl: devnet.jsonRpcUrl,
      progress: () => {},
    });
    expect(report.divergences).toEqual([]);
    expect(report.claimsChecked).toBe((await acceptedOnChain()).size);
    expect(report.nodeClaimsChecked).toBe((await list("cartesi_listEpochs")).length);

    // A fresh node (the store deleted, the chain kept) ends with the same data.
    const before = await snapshot();
    await devnet.stop();
    for (const file of ["node.sqlite", "node.sqlite-wal", "node.sqlite-shm"])
      if (existsSync(join(dir.path, file))) rmSync(join(dir.path, file));
    devnet = await start();
    clients = chainClients(devnet.chainRpcUrl);
    await caughtUp("the fresh node");
    await claimsSettled();
    expect(await snapshot()).toEqual(before);
  });

  it("submits again a claim that a reorganisation dropped", async () => {
    await onlyTransactionsMine();
    await addInput(clients, 0, devnet.inputBox, devnet.application, stringToHex("claimed, then dropped"));
    const count = (await canonical()).length;
    await caughtUp("the input");
    const { index } = (await list("cartesi_listEpochs")).at(-1)!;
    // Mine until the node's claim of that epoch is on chain and the node lists it accepted.
    const epoch = await waitFor(
      "the epoch accepted",
      async () => {
        await anvil(devnet.chainRpcUrl, "evm_mine");
        const now = (await list("cartesi_listEpochs")).find((e) => e.index === index);
        return now?.status === "CLAIM_ACCEPTED" && now;
      },
      30_000,
      200,
      logTail,
    );
    const lastBlock = parseInt(epoch.last_block, 16);
    const [claim] = await clients.pub.getContractEvents({
      address: devnet.authority,
      abi: authorityAbi,
      eventName: "ClaimAccepted",
      args: { appContract: devnet.application },
      fromBlock: BigInt(lastBlock + 1),
    });
    const claimBlock = Number(claim!.blockNumber);
    const submitted = logs.filter((m) => m.includes(`epoch ${parseInt(epoch.index, 16)} `)).length;

    // Drop the claim's block (and the empty ones after it), not the input's.
    await anvil(devnet.chainRpcUrl, "anvil_reorg", [(await latest()) - claimBlock + 1, []]);
    expect((await acceptedOnChain()).has(lastBlock)).toBe(false);
    await waitFor(
      "the claim submitted again",
      async () => {
        await anvil(devnet.chainRpcUrl, "evm_mine");
        return (await acceptedOnChain()).get(lastBlock) === epoch.outputs_merkle_root;
      },
      30_000,
      200,
      logTail,
    );
    await blocksEverySecond();
    await claimsSettled();
    expect(logs.filter((m) => m.includes(`epoch ${parseInt(epoch.index, 16)} `)).length).toBeGreaterThan(submitted);
    expect(await processed()).toBe(count);
    expect(failure).toBeUndefined();
  });

  it("follows anvil_rollback below inputs it processed, then the inputs that come instead", async () => {
    await onlyTransactionsMine();
    for (const i of [0, 1, 2])
      await addInput(clients, 1, devnet.inputBox, devnet.application, stringToHex(`rolled ${i}`));
    await caughtUp("three inputs");
    const before = (await canonical()).length;
    // Two blocks back: "rolled 2" goes, and "rolled 1" too unless a claim was mined after it.
    await anvil(devnet.chainRpcUrl, "anvil_rollback", [2]);
    const kept = (await canonical()).length;
    expect(kept).toBeLessThan(before);
    await addInput(clients, 2, devnet.inputBox, devnet.application, stringToHex("after the rollback"));
    const payloads = (await canonical()).map((i) => i.payload);
    expect(payloads).toHaveLength(kept + 1);
    expect(payloads.at(-1)).toBe(stringToHex("after the rollback"));
    await caughtUp("the inputs after the rollback");
    await blocksEverySecond();
    await claimsSettled();
    expect(failure).toBeUndefined();
    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: [process.execPath, ECHO_DAPP],
      nodeUrl: devnet.jsonRpcUrl,
      progress: () => {},
    });
    expect(report.divergences).toEqual([]);
  });

  it("stops, saying why, when a rollback takes back inputs that a dApp started elsewhere processed", async () => {
    const other = tempDir("reorg-external");
    const port = await freePort();
    const external = spawnDapp([process.execPath, ECHO_DAPP], { rollupHttpUrl: `http://127.0.0.1:${port}` });
    const node = await startDevnet({
      stateDir: other.path,
      epochLength: EPOCH_LENGTH,
      blockTime: 0.5,
      port: 0,
      rollupHttpPort: port,
      anvilPort: 0,
      blockConfidence: "latest",
      pollIntervalMs: 50,
      log: () => {},
    });
    try {
      const own = chainClients(node.chainRpcUrl);
      await anvil(node.chainRpcUrl, "evm_setAutomine", [true]);
      await addInput(own, 0, node.inputBox, node.application, "0x01");
      await waitFor("the input processed", async () => {
        const count = await rpcResult(node.jsonRpcUrl, "cartesi_getProcessedInputCount", ["app"]);
        return parseInt(count.data, 16) === 1;
      });
      await anvil(node.chainRpcUrl, "anvil_reorg", [1, []]); // the input's block, the latest (no epoch closed, no claim)
      const reason = await node.failed;
      expect(reason).toBeInstanceOf(StateMismatchError);
      expect(reason.message).toMatch(
        /started elsewhere, cannot be reset by this node. Restart the dApp, then the devnet/,
      );
    } finally {
      await external.stop();
      await node.stop();
      other.remove();
    }
  });
});

/** What a node serves, without its clock. */
async function snapshot() {
  return withoutClock({
    inputs: await list("cartesi_listInputs"),
    outputs: await list("cartesi_listOutputs"),
    reports: await list("cartesi_listReports"),
    epochs: await list("cartesi_listEpochs"),
  });
}
