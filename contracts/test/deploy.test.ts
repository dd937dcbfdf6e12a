// lcore's contracts deployed next to an application through the CREATE2 proxy, on a real anvil:
// LcoreSettlement bound to the application, the MVP anchor and the test token, each once; and
// the same shaped as @lcore/devnet's afterDeploy hook.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Address, type Hex, getAddress } from "viem";
import {
  ANVIL_ACCOUNT_0,
  TEST_TOKEN_SUPPLY,
  afterDeployLcore,
  deployLcoreContracts,
  lcoreSettlementAbi,
  testTokenAbi,
  type DeployClients,
} from "@lcore/contracts";
import { localChain } from "./chain.js";

const APPLICATION: Address = getAddress("0x00000000000000000000000000000000000a9911");
const SALT: Hex = `0x${"00".repeat(31)}05`;

let chain: Awaited<ReturnType<typeof localChain>>;
let clients: DeployClients;
beforeAll(async () => {
  chain = await localChain();
  clients = { public: chain.publicClient, wallet: chain.wallet(9) };
});
afterAll(async () => {
  await chain?.anvil.stop();
});

describe("deployLcoreContracts", () => {
  it("deploys the settlement contract for the application, the MVP anchor and the test token, once", async () => {
    const logs: string[] = [];
    const target = { application: APPLICATION, salt: SALT };
    const first = await deployLcoreContracts(clients, target, {
      testTokenHolder: ANVIL_ACCOUNT_0,
      log: (m) => logs.push(m),
    });
    expect(logs).toHaveLength(3);
    expect(
      await chain.publicClient.readContract({
        address: first.settlement,
        abi: lcoreSettlementAbi,
        functionName: "application",
      }),
    ).toBe(APPLICATION);
    expect(
      await chain.publicClient.readContract({
        address: first.testToken!,
        abi: testTokenAbi,
        functionName: "balanceOf",
        args: [ANVIL_ACCOUNT_0],
      }),
    ).toBe(TEST_TOKEN_SUPPLY);

    const again: string[] = [];
    expect(
      await deployLcoreContracts(clients, target, { testTokenHolder: ANVIL_ACCOUNT_0, log: (m) => again.push(m) }),
    ).toEqual(first);
    expect(again).toEqual([]);
    // Without a holder (a real network) there is no test token.
    expect((await deployLcoreContracts(clients, target)).testToken).toBeUndefined();
  });

  it("puts LcoreSettlement where the dApp looks for it, at salt 0 whatever the application's salt", async () => {
    const other = await deployLcoreContracts(clients, { application: APPLICATION, salt: `0x${"00".repeat(31)}06` });
    const first = await deployLcoreContracts(clients, { application: APPLICATION, salt: SALT });
    expect(other.settlement).toBe(first.settlement);
    expect(other.mvpIoTProcessor).not.toBe(first.mvpIoTProcessor);
  });
});

describe("afterDeployLcore", () => {
  it("returns lcore's contracts under `lcore`, the test token only on the devnet's own anvil", async () => {
    const deployment = { application: APPLICATION, salt: SALT };
    const own = await afterDeployLcore({ clients, deployment, log: () => {}, ownAnvil: true });
    expect(Object.keys(own)).toEqual(["lcore"]);
    expect(own.lcore.testToken).toBeDefined();
    const attached = await afterDeployLcore({ clients, deployment, log: () => {}, ownAnvil: false });
    expect(attached.lcore).toEqual({ settlement: own.lcore.settlement, mvpIoTProcessor: own.lcore.mvpIoTProcessor });
  });
});
