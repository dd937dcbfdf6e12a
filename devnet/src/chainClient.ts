// viem clients for the base chain, and the one way the devnet sends a transaction: simulate
// first (so a revert comes back decoded), send, wait for the receipt, fail loudly on a revert.

import {
  type Abi,
  type Account,
  type NonceManager,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { ChainError } from "./errors.js";

export interface ChainClients {
  rpcUrl: string;
  chain: Chain;
  public: PublicClient<Transport, Chain>;
  wallet: WalletClient<Transport, Chain, Account>;
  account: Account;
}

/** anvil's well-known development mnemonic. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";
/**
 * The devnet node signs with anvil's dev account 9 (0xa0Ee7A142d267C1f36714E4a8F75612F20a79720)
 * so that accounts 0-8 stay free for tests, the gateway and people: two writers sharing one
 * key race on nonces.
 */
export const DEVNET_ACCOUNT_INDEX = 9;

/** `nonceManager`: for several senders in this process sharing the key (the applications' claimers). */
export function devnetAccount(nonceManager?: NonceManager): Account {
  return mnemonicToAccount(ANVIL_MNEMONIC, {
    addressIndex: DEVNET_ACCOUNT_INDEX,
    ...(nonceManager ? { nonceManager } : {}),
  });
}

export function accountFromKey(privateKey: Hex, nonceManager?: NonceManager): Account {
  try {
    return privateKeyToAccount(privateKey, nonceManager ? { nonceManager } : {});
  } catch (cause) {
    throw new ChainError("the private key is not a 32-byte hex string", { cause });
  }
}

export async function connectChain(rpcUrl: string, account: Account, pollingIntervalMs = 100): Promise<ChainClients> {
  // Batched: calls made together (a sync's three eth_getLogs, say) go in one HTTP request, and
  // with several applications each polling the chain, HTTP round trips are most of the node's cost.
  const transport = http(rpcUrl, { retryCount: 3, timeout: 30_000, batch: true });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    throw new ChainError(`cannot reach the chain at ${rpcUrl}`, { cause });
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  return {
    rpcUrl,
    chain,
    public: createPublicClient({ chain, transport, pollingInterval: pollingIntervalMs }),
    wallet: createWalletClient({ chain, transport, account, pollingInterval: pollingIntervalMs }),
    account,
  };
}

/** Send a raw transaction and wait for it; throws ChainError if it reverts. */
export async function sendAndWait(
  clients: ChainClients,
  tx: { to: Address; data: Hex; value?: bigint },
  what: string,
): Promise<TransactionReceipt> {
  let hash: Hex;
  try {
    hash = await clients.wallet.sendTransaction({
      to: tx.to,
      data: tx.data,
      value: tx.value ?? 0n,
      account: clients.account,
      chain: clients.chain,
    });
  } catch (cause) {
    throw new ChainError(`${what}: transaction not accepted: ${(cause as Error).message.split("\n")[0]}`, { cause });
  }
  return waitFor(clients, hash, what);
}

/** Simulate, then send a contract call and wait for it; throws ChainError with the decoded revert. */
export async function writeAndWait<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "nonpayable" | "payable">,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", name>,
>(
  clients: ChainClients,
  call: { address: Address; abi: abi; functionName: name; args: args },
  what: string,
): Promise<TransactionReceipt> {
  let hash: Hex;
  try {
    // viem's generics cannot follow `call` through this wrapper; the parameters are checked above.
    const { request } = await clients.public.simulateContract({
      ...(call as object),
      account: clients.account,
    } as never);
    hash = await clients.wallet.writeContract(request as never);
  } catch (cause) {
    throw new ChainError(`${what}: ${(cause as { shortMessage?: string }).shortMessage ?? (cause as Error).message}`, {
      cause,
    });
  }
  return waitFor(clients, hash, what);
}

async function waitFor(clients: ChainClients, hash: Hex, what: string): Promise<TransactionReceipt> {
  const receipt = await clients.public.waitForTransactionReceipt({ hash, timeout: 120_000 });
  if (receipt.status !== "success") throw new ChainError(`${what}: transaction ${hash} reverted`);
  return receipt;
}
