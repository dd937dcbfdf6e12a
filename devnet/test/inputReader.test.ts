// The input reader against a real anvil: an input that does not continue the stored sequence
// (another input at an index the store has, or a gap) is never an error but a rollback to the
// newest block the chain still has, after which the reader continues with the canonical inputs;
// `verify` finds a checkpoint the chain lost.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringToHex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.js";
import { type ChainClients, connectChain, devnetAccount } from "../src/chainClient.js";
import { type Deployment, deployRollups } from "../src/deploy.js";
import { InputReader, type SyncResult } from "../src/inputReader.js";
import { Store } from "../src/store.js";
import { addInput, anvil as call, chainClients, tempDir, type TestClients } from "./helpers.js";

let chain: Anvil;
let clients: ChainClients;
let test: TestClients;
let deployment: Deployment;
const dir = tempDir("reader");

beforeAll(async () => {
  chain = await startAnvil({ blockTime: 1 });
  clients = await connectChain(chain.url, devnetAccount());
  deployment = await deployRollups(clients, { epochLength: 4 });
  test = chainClients(chain.url);
  await call(chain.url, "evm_setAutomine", [true]); // a block per transaction, no other
});
afterAll(async () => {
  await chain?.stop();
  dir.remove();
});

const send = (text: string) =>
  addInput(test, 0, deployment.contracts.InputBox, deployment.application, stringToHex(text));

/** Sync until the reader has read the chain's latest block; every result on the way. */
async function syncAll(reader: InputReader): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (;;) {
    const result = await reader.sync();
    results.push(result);
    if ("rollbackTo" in result || !result.more) return results;
  }
}

function payloads(store: Store): string[] {
  return store.listInputs({}, { limit: 100, offset: 0 }).rows.map((i) => i.payload);
}

describe("InputReader", () => {
  it("answers another input at an index it has, or a gap, with a rollback, never an error", async () => {
    const store = Store.open(`${dir.path}/a.sqlite`);
    const reader = new InputReader(clients, deployment, store, "latest");
    // Block numbers come from the receipts: anvil also mines a block a second, so `latest` may
    // already be past the input's block.
    const zeroBlock = await send("zero");
    const base = await send("one");
    await syncAll(reader);
    expect(payloads(store)).toEqual([stringToHex("zero"), stringToHex("one")]);
    const snapshot = await call<string>(chain.url, "evm_snapshot");
    await send("two, then gone");
    await syncAll(reader);
    expect(store.inputCount()).toBe(3);

    // The chain goes back and another input 2 comes. The reader is told its last block is still
    // good, so the input itself is what shows the change.
    await call(chain.url, "evm_revert", [snapshot]);
    await send("another two");
    store.setMeta("last_scanned_block", String(base));
    store.setMeta("last_scanned_hash", (await test.pub.getBlock({ blockNumber: BigInt(base) })).hash);
    const [conflict] = await syncAll(reader);
    expect(conflict).toMatchObject({
      rollbackTo: { number: base },
      reason: "the chain's input 2 is not the one the node read",
    });
    if (!("rollbackTo" in conflict!)) throw new Error("no rollback");
    store.rollback(conflict.rollbackTo.number, conflict.rollbackTo.hash);
    await syncAll(reader);
    expect(payloads(store)).toEqual([stringToHex("zero"), stringToHex("one"), stringToHex("another two")]);

    // A store that missed input 0 (its scan position past it): a gap, so everything is read again.
    const gappy = Store.open(`${dir.path}/b.sqlite`);
    gappy.setMeta("last_scanned_block", String(zeroBlock));
    const [gap] = await syncAll(new InputReader(clients, deployment, gappy, "latest"));
    expect(gap).toMatchObject({
      rollbackTo: { number: deployment.deploymentBlock - 1, hash: null },
      reason: "input 1 arrived while 0 was expected next",
    });
    gappy.rollback(deployment.deploymentBlock - 1, null);
    await syncAll(new InputReader(clients, deployment, gappy, "latest"));
    expect(payloads(gappy)).toEqual(payloads(store));
    store.close();
    gappy.close();
  });

  it("verifies its last block at start: a chain that lost it calls for a rollback to what it still has", async () => {
    const store = Store.open(`${dir.path}/c.sqlite`);
    const reader = new InputReader(clients, deployment, store, "latest");
    await syncAll(reader);
    expect(await reader.verify()).toBeUndefined();
    const inputs = store.inputCount();
    const kept = store.getInput(inputs - 1)!;
    await send("lost");
    await call(chain.url, "evm_mine");
    await syncAll(reader);
    await call(chain.url, "anvil_rollback", [2]);
    const fork = await reader.verify();
    expect(fork).toMatchObject({ rollbackTo: { number: kept.blockNumber, hash: kept.blockHash } });
    store.close();
  });
});
