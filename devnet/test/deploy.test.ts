// Deployment on a real anvil: canonical addresses, an Authority and an Application wired as the
// node needs them, and a second run that deploys nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toFunctionSelector, type AbiFunction } from "viem";
import * as abis from "../src/abis.js";
import { loadArtifact } from "../src/artifacts.js";
import { startAnvil, type Anvil } from "../src/anvil.js";
import { connectChain, devnetAccount, type ChainClients } from "../src/chainClient.js";
import { CANONICAL_ADDRESSES, deployRollups, HOST_MODE_TEMPLATE_HASH } from "../src/deploy.js";

let anvil: Anvil;
let clients: ChainClients;
beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  clients = await connectChain(anvil.url, devnetAccount());
});
afterAll(async () => {
  await anvil?.stop();
});

describe("deployRollups", () => {
  it("deploys v2.2.0 at the canonical addresses, then reuses everything", async () => {
    const logs: string[] = [];
    const first = await deployRollups(clients, { epochLength: 7, log: (m) => logs.push(m) });
    for (const [name, address] of Object.entries(CANONICAL_ADDRESSES)) {
      expect(first.contracts[name as keyof typeof first.contracts]).toBe(address);
    }
    expect(first.chainId).toBe(31337);
    expect(first.owner).toBe("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
    expect(first.epochLength).toBe(7);
    expect(first.templateHash).toBe(HOST_MODE_TEMPLATE_HASH);
    expect(first.dataAvailability.startsWith("0xb12c9ede")).toBe(true);
    expect(first.deploymentBlock).toBeGreaterThan(0);
    expect(logs.length).toBe(12); // 10 canonical contracts, the Authority, the Application
    const template = await clients.public.readContract({
      address: first.application,
      abi: abis.applicationAbi,
      functionName: "getTemplateHash",
    });
    expect(template).toBe(HOST_MODE_TEMPLATE_HASH);

    const blockBefore = await clients.public.getBlockNumber();
    const again: string[] = [];
    const second = await deployRollups(clients, { epochLength: 7, log: (m) => again.push(m) });
    expect(second).toEqual(first);
    expect(again).toEqual([]);
    const nonce = await clients.public.getTransactionCount({ address: first.owner });
    expect(nonce).toBe(12);
    expect(await clients.public.getBlockNumber()).toBeGreaterThanOrEqual(blockBefore);

    // Another epoch length is another Authority (and so another Application).
    const other = await deployRollups(clients, { epochLength: 3 });
    expect(other.authority).not.toBe(first.authority);
    expect(other.application).not.toBe(first.application);
    expect(other.contracts).toEqual(first.contracts);
  });

  it("calls only functions that exist in the pinned artifacts", () => {
    const checks: [string, readonly unknown[]][] = [
      ["InputBox", abis.inputBoxAbi],
      ["Authority", abis.authorityAbi],
      ["AuthorityFactory", abis.authorityFactoryAbi],
      ["ApplicationFactory", abis.applicationFactoryAbi],
      ["Application", abis.applicationAbi],
      ["EtherPortal", abis.etherPortalAbi],
    ];
    for (const [name, abi] of checks) {
      const selectors = new Set(Object.values(loadArtifact(name).methodIdentifiers).map((s) => `0x${s}`));
      for (const item of abi as AbiFunction[]) {
        if (item.type === "function")
          expect(selectors.has(toFunctionSelector(item)), `${name}.${item.name}`).toBe(true);
      }
    }
    expect(toFunctionSelector(abis.inputsAbi[0])).toBe(abis.EVM_ADVANCE_SELECTOR);
  });
});
