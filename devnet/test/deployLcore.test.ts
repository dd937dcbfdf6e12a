// lcore's own contracts next to the rollup: wired to the Application, idempotent, and the
// test token only when asked for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lcoreSettlementAbi, testTokenAbi } from "@lcore/contracts";
import { startAnvil, type Anvil } from "../src/anvil.js";
import { connectChain, devnetAccount, type ChainClients } from "../src/chainClient.js";
import { deployRollups } from "../src/deploy.js";
import { ANVIL_ACCOUNT_0 } from "../src/devnet.js";
import { TEST_TOKEN_SUPPLY, deployLcoreContracts } from "../src/deployLcore.js";

let anvil: Anvil;
let clients: ChainClients;
beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  clients = await connectChain(anvil.url, devnetAccount());
});
afterAll(async () => {
  await anvil?.stop();
});

describe("deployLcoreContracts", () => {
  it("deploys the settlement contract for the Application, the MVP anchor and the test token, once", async () => {
    const rollups = await deployRollups(clients, { epochLength: 5 });
    const logs: string[] = [];
    const first = await deployLcoreContracts(clients, rollups, { testTokenHolder: ANVIL_ACCOUNT_0, log: (m) => logs.push(m) });
    expect(logs).toHaveLength(3);
    expect(await clients.public.readContract({ address: first.settlement, abi: lcoreSettlementAbi, functionName: "application" }))
      .toBe(rollups.application);
    expect(await clients.public.readContract({ address: first.testToken!, abi: testTokenAbi, functionName: "balanceOf", args: [ANVIL_ACCOUNT_0] }))
      .toBe(TEST_TOKEN_SUPPLY);

    const again: string[] = [];
    const second = await deployLcoreContracts(clients, rollups, { testTokenHolder: ANVIL_ACCOUNT_0, log: (m) => again.push(m) });
    expect(second).toEqual(first);
    expect(again).toEqual([]);
    // Without a holder (a real network) there is no test token.
    expect((await deployLcoreContracts(clients, rollups)).testToken).toBeUndefined();
  });
});
