// A chain for the submitter's tests: anvil with the Cartesi v2.2.0 contracts at their
// canonical addresses and one Application, from the devnet package's own code.
// (The full devnet, with the node and the dApp, is used by the e2e and crash tests.)

import { type Address, type Hex, createPublicClient, decodeFunctionData, http, parseAbi, parseEventLogs } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { startAnvil } from "../../../devnet/src/anvil.js";
import { ANVIL_MNEMONIC, connectChain } from "../../../devnet/src/chainClient.js";
import { deployRollups } from "../../../devnet/src/deploy.js";

export interface TestChain {
  url: string;
  chainId: bigint;
  app: Address;
  inputBox: Address;
  /** Private key of a funded anvil account that nothing else uses (index 1 + n). */
  key(n: number): Hex;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  /** Every payload added for the app, in input-index order. */
  inputs(): Promise<{ index: number; payload: Hex; sender: Address }[]>;
  stop(): Promise<void>;
}

const EVM_ADVANCE = parseAbi([
  "function EvmAdvance(uint256 chainId, address appContract, address msgSender, uint256 blockNumber, uint256 blockTimestamp, uint256 prevRandao, uint256 index, bytes payload)",
]);
const INPUT_ADDED = parseAbi(["event InputAdded(address indexed appContract, uint256 indexed index, bytes input)"]);

export async function startTestChain(opts: { blockTime?: number } = {}): Promise<TestChain> {
  const anvil = await startAnvil({ blockTime: opts.blockTime ?? 1 });
  try {
    const deployer = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 });
    const clients = await connectChain(anvil.url, deployer);
    const deployment = await deployRollups(clients, { epochLength: 10 });
    const client = createPublicClient({ transport: http(anvil.url) });
    let id = 0;
    return {
      url: anvil.url,
      chainId: BigInt(deployment.chainId),
      app: deployment.application,
      inputBox: deployment.contracts.InputBox,
      key(n) {
        const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 + n }).getHdKey().privateKey;
        if (key === null) throw new Error("no key");
        return `0x${Buffer.from(key).toString("hex")}`;
      },
      async rpc(method, params = []) {
        const res = await fetch(anvil.url, {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
        });
        const body = (await res.json()) as { result?: unknown; error?: { message: string } };
        if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
        return body.result;
      },
      async inputs() {
        const logs = await client.getLogs({ address: deployment.contracts.InputBox, fromBlock: 0n, toBlock: "latest" });
        return parseEventLogs({ abi: INPUT_ADDED, logs, eventName: "InputAdded" })
          .filter((l) => l.args.appContract.toLowerCase() === deployment.application.toLowerCase())
          .map((l) => {
            const { args } = decodeFunctionData({ abi: EVM_ADVANCE, data: l.args.input });
            return { index: Number(l.args.index), payload: args[7], sender: args[2] };
          })
          .sort((a, b) => a.index - b.index);
      },
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
