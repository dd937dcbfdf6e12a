// A fresh anvil per test file and viem clients for anvil's well-known accounts.
import { ANVIL_MNEMONIC, startAnvil, type Anvil } from "@lcore/devnet";
import { type Abi, type Address, type Hex, createPublicClient, createWalletClient, defineChain, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";

export async function localChain() {
  const anvil: Anvil = await startAnvil({ blockTime: 1 });
  const chain = defineChain({
    id: 31337,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [anvil.url] } },
  });
  const transport = http(anvil.url);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const wallet = (index: number) =>
    createWalletClient({
      chain,
      transport,
      account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }),
      pollingInterval: 50,
    });

  async function deploy(
    from: ReturnType<typeof wallet>,
    abi: Abi,
    bytecode: Hex,
    args: readonly unknown[],
  ): Promise<Address> {
    const hash = await from.deployContract({ abi, bytecode, args } as Parameters<typeof from.deployContract>[0]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress || receipt.status !== "success") throw new Error("deployment failed");
    return receipt.contractAddress;
  }

  return { anvil, publicClient, wallet, deploy };
}
