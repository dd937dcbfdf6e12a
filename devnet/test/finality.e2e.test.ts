// The node at its default confidence, `finalized` (anvil runs with one slot per epoch:
// finalized = latest − 2), with blocks mined only when the test says: an input is not served
// before its block is final, an epoch is not listed accepted before the chain's ClaimAccepted
// for it is final, a claim dropped before it was final is submitted again, and a state
// directory whose chain went back (anvil restarted from an older saved state, as after a crash)
// resumes from the common prefix instead of being refused.

import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hex, stringToHex } from "viem";
import { authorityAbi, type Devnet } from "@lcore/devnet";
import {
  acceptedClaims,
  addInput,
  anvil,
  chainClients,
  chainInputs,
  nodeList,
  tempDir,
  type TestClients,
  waitFor,
  startEchoDevnet,
} from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
let devnet: Devnet;
let clients: TestClients;
let failure: Error | undefined;
const logs: string[] = [];

async function start(): Promise<Devnet> {
  const started = await startEchoDevnet(dir.path, (m) => logs.push(m));
  void started.failed.then((err) => (failure = err));
  clients = chainClients(started.chainRpcUrl);
  return started;
}

const list = (method: string) => nodeList(devnet.jsonRpcUrl, method);
const payloads = async () => (await list("cartesi_listInputs")).map((i) => i.decoded_data.payload as Hex);
const epochOf = async (inputIndex: number) =>
  (await list("cartesi_listEpochs")).find(
    (e) =>
      parseInt(e.input_index_lower_bound, 16) <= inputIndex && inputIndex < parseInt(e.input_index_upper_bound, 16),
  );
const accepted = () => acceptedClaims(clients.pub, devnet.authority, devnet.application);
const mine = () => anvil(devnet.chainRpcUrl, "evm_mine");
const latest = async () => Number(await clients.pub.getBlockNumber());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logTail = () => logs.slice(-10).join("\n");

/** Mine block by block until the chain (at latest) has the ClaimAccepted of the epoch ending at `lastBlock`; its block. */
async function mineUntilClaimed(lastBlock: number): Promise<number> {
  await waitFor(
    `the claim of the epoch ending at block ${lastBlock}`,
    async () => {
      if ((await accepted()).has(lastBlock)) return true;
      await mine();
      return false;
    },
    30_000,
    100,
    logTail,
  );
  const events = await clients.pub.getContractEvents({
    address: devnet.authority,
    abi: authorityAbi,
    eventName: "ClaimAccepted",
    args: { appContract: devnet.application },
    fromBlock: BigInt(lastBlock + 1),
  });
  return Number(events.find((e) => Number(e.args.lastProcessedBlockNumber) === lastBlock)!.blockNumber);
}

beforeAll(async () => {
  dir = tempDir("finality");
  devnet = await start();
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("the node at `finalized`, its default", () => {
  it("serves an input only once its block is final, and an epoch as accepted only once its ClaimAccepted is", async () => {
    expect(devnet.blockConfidence).toBe("finalized");
    await anvil(devnet.chainRpcUrl, "evm_setAutomine", [true]); // a block per transaction, no other
    const payload = stringToHex("final?");
    await addInput(clients, 0, devnet.inputBox, devnet.application, payload);
    const block = await latest();
    // At latest and one block later the input is not final: the node does not show it.
    await sleep(500);
    expect(await payloads()).not.toContain(payload);
    await mine();
    await sleep(500);
    expect(await payloads()).not.toContain(payload);
    await mine();
    expect((await clients.pub.getBlock({ blockTag: "finalized" })).number).toBe(BigInt(block));
    await waitFor("the input once final", async () => (await payloads()).includes(payload), 10_000, 50, logTail);

    // The claim: on chain at latest, submitted but not accepted until its block is final.
    const epoch = (await epochOf(0))!;
    const claimBlock = await mineUntilClaimed(parseInt(epoch.last_block, 16));
    expect(await latest()).toBeLessThan(claimBlock + 2);
    await sleep(500);
    expect((await epochOf(0))!.status).toBe("CLAIM_SUBMITTED");
    expect((await list("cartesi_listEpochs")).every((e) => e.status !== "CLAIM_ACCEPTED")).toBe(true);
    while ((await latest()) < claimBlock + 2) await mine();
    await waitFor("the epoch accepted", async () => (await epochOf(0))!.status === "CLAIM_ACCEPTED", 10_000, 50);
    expect(failure).toBeUndefined();
  });

  it("submits again a claim that a reorganisation dropped before it was final", async () => {
    await addInput(clients, 0, devnet.inputBox, devnet.application, stringToHex("second"));
    while ((await payloads()).length < 2) {
      await mine();
      await sleep(100);
    }
    const epoch = (await epochOf(1))!;
    const lastBlock = parseInt(epoch.last_block, 16);
    const claimBlock = await mineUntilClaimed(lastBlock);
    await anvil(devnet.chainRpcUrl, "anvil_reorg", [(await latest()) - claimBlock + 1, []]);
    expect((await accepted()).has(lastBlock)).toBe(false);
    await mineUntilClaimed(lastBlock);
    expect(
      logs.some((m) => m.includes("its claim is no longer on chain (reorganised away?); submitting it again")),
    ).toBe(true);
    for (let i = 0; i < 3; i++) await mine();
    await waitFor("the epoch accepted", async () => (await epochOf(1))!.status === "CLAIM_ACCEPTED", 10_000, 50);
    expect(failure).toBeUndefined();
  });

  it("resumes on a state directory whose chain went back (restarted from an older saved state) instead of refusing it", async () => {
    await devnet.stop();
    const older = join(dir.path, "older-anvil-state.json");
    copyFileSync(join(dir.path, "anvil-state.json"), older);
    devnet = await start();
    for (const text of ["lost a", "lost b"])
      await addInput(clients, 1, devnet.inputBox, devnet.application, stringToHex(text));
    await waitFor("both inputs final and processed", async () => (await payloads()).length === 4, 20_000, 100, logTail);
    await devnet.stop();

    // The chain comes back without its last blocks, as anvil restarted from a state saved earlier.
    copyFileSync(older, join(dir.path, "anvil-state.json"));
    const mark = logs.length;
    devnet = await start();
    expect(logs.slice(mark).some((m) => /the node read: rolled back to block/.test(m))).toBe(true);
    const chain = async () =>
      (await chainInputs(clients.pub, devnet.inputBox, devnet.application, "finalized")).map((i) => i.payload);
    expect(await payloads()).toEqual(await chain());
    expect(await payloads()).toHaveLength(2);

    await addInput(clients, 2, devnet.inputBox, devnet.application, stringToHex("after the restart"));
    await waitFor("the new input", async () => (await payloads()).length === 3, 20_000, 100, logTail);
    expect(await payloads()).toEqual(await chain());
    const count = await (await fetch(devnet.inspectUrl, { method: "POST", body: "" })).json();
    expect(count.processed_input_count).toBe(3);
    await waitFor(
      "every epoch accepted",
      async () => {
        const claims = await accepted();
        const epochs = await list("cartesi_listEpochs");
        return epochs.every(
          (e) => e.status === "CLAIM_ACCEPTED" && claims.get(parseInt(e.last_block, 16)) === e.outputs_merkle_root,
        );
      },
      30_000,
      200,
      logTail,
    );
    expect(failure).toBeUndefined();
  });
});
